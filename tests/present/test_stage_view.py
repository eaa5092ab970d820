"""The stage's view model, from real engine states (commands run through the Sandbox)."""
from __future__ import annotations

import pytest

import present
from engine.sandbox import Sandbox
from present.layout import CARD_W


def world(*commands: str):
    sandbox = Sandbox.create(seed=1)
    result = None
    for line in commands:
        result = sandbox.run(line)
        assert result.exit_code == 0, (line, result.stderr)
    return sandbox, (result.events if result else [])


def view(*commands: str, **kw):
    sandbox, events = world(*commands)
    return present.stage(sandbox.daemon, events, command=commands[-1] if commands else "", **kw)


def image(v, name):
    return next(i for i in v.images if i.name == name)


def container(v, name):
    return next(c for c in v.containers if c.name == name)


def test_an_empty_daemon_is_an_empty_stage():
    v = present.stage(Sandbox.create(seed=1).daemon, [])
    assert v.empty and v.summary == "The stage is empty: no images and no containers."


def test_pull_draws_a_stack_of_read_only_layers_bottom_up_with_the_new_ones_highlighted():
    v = view("docker pull nginx")
    nginx = image(v, "nginx:latest")
    assert len(nginx.all_layers) == 7
    assert all(l.highlight == "added" for l in nginx.all_layers)
    drawn = [b for b in nginx.layers if b.kind == "layer"]
    assert [b.y for b in drawn] == sorted((b.y for b in drawn), reverse=True)   # base lowest
    assert drawn[0].instruction.startswith("# debian.sh")
    assert nginx.all_layers[-1].instruction == "COPY 30-tune-worker-processes.sh /docker-entrypoint.d"
    # 7 layers > 6: the base, the largest (nginx's packages), "… 2 more layers", and the top three
    largest = max(nginx.all_layers[1:], key=lambda l: l.size)
    assert largest in drawn and largest.instruction.startswith("RUN set -x")
    assert [b.kind for b in nginx.layers if b.kind != "empty"] == ["layer", "layer", "more", "layer", "layer", "layer"]
    assert next(b for b in nginx.layers if b.kind == "more").label == "… 2 more layers"
    assert v.focus == nginx.dom_id and nginx.changed
    assert any(b.kind == "empty" and "ENV NGINX_VERSION=1.27.5" in b.empties for b in nginx.layers)
    assert v.summary == "1 image built from 7 distinct read-only layers; 0 containers."


def test_a_layer_shared_by_two_images_is_marked_shared_and_reused_on_the_second_pull():
    v = view("docker pull nginx", "docker pull python:3.12-slim")
    base_n = image(v, "nginx:latest").all_layers[0]
    base_p = image(v, "python:3.12-slim").all_layers[0]
    assert base_n.chain_id == base_p.chain_id and base_n.tint == base_p.tint
    assert base_n.shared_with == ["python:3.12-slim"] and base_p.shared_count == 2
    assert base_p.highlight == "reused"      # "Already exists" in the image being pulled
    assert base_n.highlight == ""            # not in the image that had it before
    assert [l.highlight for l in image(v, "python:3.12-slim").all_layers[1:]] == ["added"] * 3
    assert image(v, "nginx:latest").all_layers[1].shared_with == []


def test_a_created_container_has_a_read_write_layer_and_no_process_space():
    v = view("docker pull alpine", "docker create --name box alpine")
    box = container(v, "box")
    assert box.state == "created" and box.space_box is None and box.rw_changes == []
    assert box.highlight == "added" and len(box.slices) == 1
    assert [a.command for a in box.actions] == ["docker start box", "docker rm box", "docker commit box box-snapshot",
                                                "docker inspect box", "docker diff box"]


def test_a_running_container_sits_in_a_process_space_listing_pid_1_and_execs():
    v = view("docker pull alpine", "docker run -d --name web alpine sleep 300", "docker exec -d web sleep 100")
    web = container(v, "web")
    assert web.state == "running" and web.space_box is not None
    assert [(p.label, p.command) for p in web.processes] == [("PID 1", "sleep 300"), ("exec", "sleep 100")]
    assert web.processes[1].fresh
    # the space surrounds the read-write layer, open at the bottom edge where the image's stack goes on
    s, rw = web.space_box, web.rw_box
    assert s.x < rw.x and s.y < rw.y and s.x + s.w > rw.x + rw.w and s.y + s.h == rw.y + rw.h == web.h
    assert v.focus == web.dom_id    # the exec started a process in it
    assert [a.label for a in web.actions][:4] == ["exec", "pause", "stop", "kill"]


def test_exec_writing_files_counts_and_flashes_the_changes_in_the_read_write_layer():
    v = view("docker pull alpine", "docker run -d --name web alpine sleep 300",
             "docker exec web sh -c 'echo hi > /tmp/x; rm /etc/motd'")
    web = container(v, "web")
    assert [(l.marker, l.path) for l in web.rw_changes] == [("C", "/etc"), ("D", "/etc/motd"), ("C", "/tmp"), ("A", "/tmp/x")]
    assert web.rw_flash
    assert [(l.marker, l.path) for l in web.rw_shown] == [("D", "/etc/motd"), ("A", "/tmp/x"), ("C", "/etc")]
    assert all(l.fresh for l in web.rw_shown[:2])


def test_pause_freezes_and_stop_shows_the_signal_and_removes_the_space():
    paused = container(view("docker pull alpine", "docker run -d --name web alpine sleep 300", "docker pause web"), "web")
    assert paused.state == "paused" and paused.space_box is not None and paused.state_changed
    assert [a.label for a in paused.actions] == ["unpause", "stop", "kill", "diff", "inspect"]
    stopped = container(view("docker pull alpine", "docker run -d --name web alpine sleep 300", "docker stop web"), "web")
    assert stopped.state == "exited" and stopped.space_box is None
    assert stopped.signals == ["SIGTERM", "SIGKILL"]   # sleep ignores SIGTERM as PID 1: killed after 10 s
    assert stopped.status_text == "Exited (137) · SIGTERM → SIGKILL"


def test_kill_shows_sigkill():
    killed = container(view("docker pull nginx", "docker run -d --name web nginx", "docker kill web"), "web")
    assert killed.signals == ["SIGKILL"] and killed.status_text == "Exited (137) · SIGKILL"


def test_commit_adds_one_highlighted_layer_on_top_of_the_shared_ones():
    v = view("docker pull alpine", "docker run -d --name web alpine sleep 300",
             "docker exec web touch /hello", "docker commit web snap")
    snap = image(v, "snap:latest")
    assert len(snap.all_layers) == 2
    assert [l.highlight for l in snap.all_layers] == ["", "added"]
    assert snap.all_layers[0].shared_with == ["alpine:latest"]
    assert snap.highlight == "added"


def test_rm_and_rmi_leave_fading_ghosts_and_rmi_keeps_shared_layers():
    v = view("docker pull alpine", "docker create --name box alpine", "docker rm box")
    assert [(g.what, g.label) for g in v.ghosts] == [("container", v.ghosts[0].label)] and not v.containers
    v = view("docker pull alpine", "docker tag alpine mine", "docker rmi mine")
    assert [(g.what, g.label) for g in v.ghosts] == [("tag", "mine:latest")]
    assert image(v, "alpine:latest")
    v = view("docker pull alpine", "docker run -d --name web alpine sleep 300", "docker exec web touch /x",
             "docker commit web snap", "docker rm -f web", "docker rmi snap")
    assert [(g.what, g.label) for g in v.ghosts] == [("image", "snap:latest")]
    assert "1 layer freed" in v.ghosts[0].detail
    assert image(v, "alpine:latest").all_layers[0].shared_with == []


def test_intermediate_images_are_drawn_only_for_image_ls_all():
    sandbox = Sandbox.create(seed=1, scenario="article")   # has a Dockerfile: FROM alpine, RUN, CMD
    assert sandbox.run("DOCKER_BUILDKIT=0 docker build -t greet .").exit_code == 0
    listed = present.stage(sandbox.daemon, [], command="docker image ls")
    assert listed.hidden_intermediates == 1 and "<none>" not in [i.name for i in listed.images]
    everything = present.stage(sandbox.daemon, [], command="docker image ls -a")
    assert everything.hidden_intermediates == 0
    middle = image(everything, "<none>")
    assert middle.intermediate and len(middle.all_layers) == 2
    # the intermediate image's layers are the very layers of greet: shared, not copied
    assert middle.all_layers[-1].chain_id == image(everything, "greet:latest").all_layers[-1].chain_id


@pytest.mark.parametrize("command,expected", [
    ("docker images -a", True), ("docker image ls --all", True), ("docker image ls", False),
    ("docker ps -a", False), ("docker images -qa", True),
])
def test_which_commands_reveal_intermediate_images(command, expected):
    from present.stage import shows_all_images
    assert shows_all_images(command) is expected


def test_ten_images_and_twenty_containers_stand_in_their_image_columns_inside_their_own_drawings():
    names = ["alpine", "busybox", "nginx", "debian:bookworm-slim", "python:3.12-slim", "ubuntu", "hello-world"]
    commands = [f"docker pull {n}" for n in names]
    commands += [f"docker run -d --name c{i} {names[i % 3]} sleep 300" for i in range(20)]
    commands += [f"docker exec c{i} touch /f{i}" for i in range(3)]
    commands += ["docker commit c0 x0", "docker commit c1 x1", "docker commit c2 x2", "docker pause c3",
                 "docker stop c4"]
    v = view(*commands)
    assert len(v.images) == 10 and len(v.containers) == 20
    # each image a column; its containers stand on it
    for col in v.columns:
        assert all(c.image_id == col.image.id for c in col.containers)
    assert sum(len(col.containers) for col in v.columns) == 20
    assert v.focus == container(v, "c4").dom_id    # the last command stopped c4
    assert len({c.dom_id for c in v.cards}) == len(v.cards)
    # inside each drawing: everything within its own box, layers not overlapping, pills inside
    for card in v.images:
        assert card.w == CARD_W
        ys = sorted((b.y, b.y + b.h) for b in card.layers)
        assert ys[0][0] >= 0 and all(top2 >= bottom1 for (_, bottom1), (top2, _) in zip(ys, ys[1:]))
        assert all(0 <= p.x and p.x + p.w <= card.w and p.y + p.h <= card.h for p in card.pills)
    for c in v.containers:
        assert 0 < c.rw_box.y and c.rw_box.y + c.rw_box.h == c.h     # the R/W layer meets the image below
        assert all(0 <= p.x and p.x + p.w <= c.w and p.y + p.h < c.rw_box.y for p in c.pills)
        if c.space_box:
            assert c.space_box.y > c.pills[-1].y and c.processes_shown[-1].y < c.rw_box.y


def test_geometry_keeps_labels_inside_their_boxes():
    from present.text import text_width
    v = view("docker pull python:3.12-slim", "docker run -d --name a-container-with-a-long-name python:3.12-slim sleep 1000",
             "docker exec a-container-with-a-long-name sh -c 'mkdir -p /very/long/directory/path/for/testing && touch /very/long/directory/path/for/testing/file.txt'")
    for card in v.images:
        for box in card.layers:
            if box.kind == "layer":
                assert text_width(box.label, 13, True) <= box.w - 16
    c = v.containers[0]
    for line in c.rw_shown:
        assert text_width(line.label, 12.5, True) <= c.rw_box.w - 20
