"""The union-filesystem explorer: a layer's own changes as its tar holds them, the merged view with
each path's source layer, docker diff, and wasted space."""
from __future__ import annotations

from engine.sandbox import Sandbox
from present import explore


def sandbox(*commands):
    s = Sandbox.create(seed=3)
    for line in commands:
        assert s.run(line).exit_code == 0, line
    return s


def test_a_containers_read_write_layer_shows_whiteouts_and_copy_ups_beside_docker_diff():
    s = sandbox("docker pull alpine", "docker run -d --name web alpine sleep 300",
                "docker exec web sh -c 'rm /etc/motd; echo x >> /etc/hostname; echo hi > /new.txt'")
    ex = explore(s.daemon, "web")
    assert ex.target_kind == "container" and ex.selected == "rw" and ex.selected_row.short_id == "R/W"
    rows = {(r.marker, r.tar_name, r.note) for r in ex.changes}
    assert ("D", "etc/.wh.motd", "whiteout") in rows
    assert ("M", "etc/hostname", "copied up, then changed") in rows
    assert ("A", "new.txt", "") in rows
    assert [r.symbol for r in ex.changes if r.marker == "D"] == ["−"]
    assert ("D", "/etc/motd") in ex.docker_diff and ("A", "/new.txt") in ex.docker_diff
    assert ex.wasted > 0 and any(p == "/etc/motd" for p, _, _ in ex.wasted_paths)


def test_an_image_layer_and_the_merged_view_up_to_it():
    s = sandbox("docker pull nginx")
    image = s.daemon.find_image("nginx")
    top = image.diff_ids[-1]
    ex = explore(s.daemon, image.id, layer=top)
    assert [r.tar_name for r in ex.changes] == ["docker-entrypoint.d/30-tune-worker-processes.sh"]
    assert ex.changes[0].marker == "A"
    merged = explore(s.daemon, image.id, layer=image.diff_ids[0], view="merged")
    assert merged.view == "merged"
    assert {r.source for r in merged.tree} == {image.diff_ids[0].split(":")[1][:12]}   # only the base so far
    full = explore(s.daemon, "nginx:latest", layer=top, view="merged")
    sources = {r.path: r.source for r in full.tree}
    assert sources["/docker-entrypoint.d/30-tune-worker-processes.sh"] == top.split(":")[1][:12]
    # the layer's tar carries its parent directory too, so the merged directory comes from it
    assert [r.path for r in full.tree if r.in_selected] == ["/docker-entrypoint.d",
                                                           "/docker-entrypoint.d/30-tune-worker-processes.sh"]
    assert full.total_size == "192MB"


def test_unknown_targets_give_nothing():
    assert explore(sandbox().daemon, "nosuch") is None
