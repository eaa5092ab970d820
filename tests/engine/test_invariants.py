"""engine.daemon.invariants.check: silent on sound states, and names each kind of broken state."""
from __future__ import annotations

import dataclasses

import pytest

from engine.daemon import invariants
from engine.layers.fs import Entry, Layer
from engine.sandbox import Sandbox


@pytest.fixture
def sb() -> Sandbox:
    sandbox = Sandbox.create(5, "article")
    for line in ["docker exec web sh -c 'echo hi > /usr/share/nginx/html/index.html'", "docker commit web site:1",
                 "docker pause web", "docker run -d --name sleeper alpine sleep 1000"]:
        assert sandbox.run(line).exit_code == 0, line
    return sandbox


def test_a_sound_state_has_no_problems(sb):
    assert invariants.check(sb.daemon) == []


def test_a_failed_buildkit_build_may_leave_cached_layers():
    sandbox = Sandbox.create(5)
    sandbox.host_write("Dockerfile", b"FROM alpine\nRUN echo a > /a\nRUN false\n")
    assert sandbox.run("docker build -t x .").exit_code == 1
    cached = invariants.cached_layers(sandbox.daemon)
    assert cached and cached <= set(sandbox.daemon.layers)
    assert invariants.check(sandbox.daemon) == []


def image(sb, tag):
    return sb.daemon.image_by_tag(tag)


def test_missing_layer(sb):
    layer = image(sb, "site:1").diff_ids[-1]
    del sb.daemon.layers[layer]
    assert invariants.check(sb.daemon) == [
        f"layer {layer[7:19]} used by image {image(sb, 'site:1').short_id} is not in the layer store"]


def test_unreferenced_layer(sb):
    stray = Layer.from_changes({"/stray": Entry.file("x")})
    sb.daemon.layers[stray.diff_id] = stray
    assert invariants.check(sb.daemon) == [
        f"layer {stray.diff_id[7:19]} is stored but no image, container or build cache entry uses it"]


def test_image_id_must_be_the_config_digest_and_history_must_match(sb):
    site = image(sb, "site:1")
    site.config["history"] = site.config["history"][:-1]
    problems = invariants.check(sb.daemon)
    assert f"image {site.short_id}: id is not the sha256 of its config" in problems
    assert f"image {site.short_id}: {len(site.diff_ids)} layers but {len(site.diff_ids) - 1} non-empty history entries" \
        in problems


def test_parent_must_exist(sb):
    site = image(sb, "site:1")
    parent = sb.daemon.images.pop(site.parent)
    sb.daemon.containers.clear()  # so only the parent problem is left ...
    sb.daemon.images[parent.id + "x"] = parent  # ... and its layers stay referenced
    problems = invariants.check(sb.daemon)
    assert f"image {site.short_id}: parent {parent.id[7:19]} does not exist" in problems


def test_tags_unique_and_normalised(sb):
    image(sb, "alpine:latest").repo_tags.append("site:1")
    image(sb, "nginx:latest").repo_tags.append("nginx")
    problems = invariants.check(sb.daemon)
    assert any(p.startswith("reference site:1 names two images") for p in problems)
    assert any("tag 'nginx' is not in normalised form" in p for p in problems)


def test_container_state_rules(sb):
    web, box, sleeper = (sb.daemon.find_container(n) for n in ("web", "box", "sleeper"))
    box.paused = True
    sleeper.dead = True
    hello = sb.daemon.find_container("hello")
    hello.processes = list(sleeper.processes)
    hello.name = "web"
    assert sorted(invariants.check(sb.daemon)) == sorted([
        "container box is paused but not running",
        "container sleeper is dead and running",
        "container web is exited but has processes",
        "container name web is used twice",
        f"PID {sleeper.pid} is used twice",
    ])
    assert web.paused  # a paused container is running: no problem


def test_running_container_needs_its_pid1(sb):
    sleeper = sb.daemon.find_container("sleeper")
    sleeper.processes = []
    assert invariants.check(sb.daemon) == [f"container sleeper is running without its PID 1 ({sleeper.pid})"]


def test_rw_layer_cannot_hold_entries_below_its_whiteouts(sb):
    sleeper = sb.daemon.find_container("sleeper")
    sleeper.rw["/srv"] = Entry.whiteout()
    sleeper.rw["/srv/x"] = Entry.file("x")
    assert invariants.check(sb.daemon) == ["container sleeper: /srv/x lies below /srv, a whiteout in the read-write layer"]


def test_layer_stored_under_another_id(sb):
    diff_id = image(sb, "site:1").diff_ids[-1]
    sb.daemon.layers[diff_id] = dataclasses.replace(sb.daemon.layers[diff_id], diff_id="sha256:" + "0" * 64)
    assert invariants.check(sb.daemon) == [f"layer {diff_id[7:19]} is stored under another layer's id (000000000000)"]
