"""The stage's kept view models (present/stage.py Kept) never draw a false picture: after any
sequence of commands, undos, redos, resets, time passing, selections and language switches, the
stage built with the view models kept from the drawings before equals one built from scratch."""
from __future__ import annotations

from pathlib import Path

from babel.support import Translations
from hypothesis import HealthCheck, example, given, settings, strategies as st

from engine.sandbox import Sandbox
from present.i18n import translating
from present.stage import Kept, stage

CATALOG = Translations.load(str(Path(__file__).resolve().parents[2] / "translations"), ["zh_Hans"])
LANGUAGES = {"en": (lambda s: s, lambda s, p, n: s if n == 1 else p), "zh": (CATALOG.gettext, CATALOG.ngettext)}

# tests/web/test_record_log.py's command list, and what changes objects on the stage in place or
# later on their own: short runs, --rm, processes that end as the virtual clock moves, signals.
COMMANDS = ["docker pull alpine", "docker run -d --name cx alpine sleep 1000", "docker exec cx touch /x",
            "docker commit cx img", "docker rm -f cx", "docker tag alpine t:1", "docker rmi t:1", "echo hi > f.txt",
            "docker ps -a", "docker build -t b .", "clear", "docker images", "",
            "docker run -d --name sl alpine sleep 20", "docker run --rm alpine echo hi", "docker run alpine true",
            "docker run -d --rm --name rm alpine sleep 15", "docker stop cx", "docker kill web", "docker pause web",
            "docker unpause web", "docker start box", "docker restart web", "docker exec web sh -c 'echo y > /x'",
            "docker exec -d web sleep 30", "docker exec web rm /x", "docker rename web www", "docker rename www web",
            "docker image ls -a", "docker rmi -f alpine", "docker container prune -f", "docker image prune -f",
            "docker tag nginx t:2", "docker stop -t 0 web", "docker start hello", "docker rm box"]
OPS = st.one_of(st.tuples(st.just("run"), st.sampled_from(COMMANDS)),
                st.tuples(st.just("wait"), st.sampled_from([5, 20, 60])),   # then `docker ps` settles it
                st.just(("undo",)), st.just(("redo",)), st.just(("reset",)),
                st.tuples(st.just("select"), st.integers(0, 6)),
                st.tuples(st.just("lang"), st.sampled_from(sorted(LANGUAGES))),
                # the kept cards meet the other sandbox: the same seed, so the same ids in other
                # states (as when another process changed it, or a cache is mixed up): no events say so
                st.just(("other",)))


def _objects(sandbox: Sandbox) -> list[str]:
    return [""] + list(sandbox.daemon.images) + list(sandbox.daemon.containers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, min_size=1, max_size=30))
# a change no event of the drawing names, in each input a kept view model is checked against
@example(ops=[("run", "docker exec web touch /x"), ("run", "docker ps"), ("other",)])
@example(ops=[("run", "docker tag nginx t:2"), ("run", "docker ps"), ("other",)])
@example(ops=[("run", "docker exec -d web sleep 30"), ("run", "docker ps"), ("other",)])
@example(ops=[("run", "docker pause web"), ("run", "docker ps"), ("other",)])
@example(ops=[("run", "docker run -d --name cx alpine sleep 1000"), ("run", "docker ps"), ("other",)])
@example(ops=[("run", "docker rename web www"), ("run", "docker ps"), ("other",)])
@example(ops=[("run", "docker ps"), ("select", 1), ("lang", "zh"), ("select", 0)])
def test_kept_view_models_equal_fresh_ones(ops):
    sandboxes = [Sandbox.create(seed=3, scenario="article"), Sandbox.create(seed=3, scenario="article")]
    for box in sandboxes:
        box.host_write("Dockerfile", b"FROM alpine\nRUN touch /built\n")
    current, kept, lang, selected = 0, Kept(), "en", ""
    for op in ops:
        sandbox = sandboxes[current]
        events, command = [], ""
        if op[0] == "run":
            command = op[1]
            events = sandbox.run(command).events
        elif op[0] == "wait":
            sandbox.daemon.clock.advance(op[1])
            command = "docker ps"
            events = sandbox.run(command).events
        elif op[0] == "undo":
            sandbox.undo()
        elif op[0] == "redo":
            result = sandbox.redo()
            events, command = (result.events, result.command) if result else ([], "")
        elif op[0] == "reset":
            sandbox.rewind(0)
        elif op[0] == "select":
            objects = _objects(sandbox)
            selected = objects[op[1] % len(objects)]
        elif op[0] == "lang":
            lang = op[1]
        else:
            current = 1 - current
            sandbox = sandboxes[current]
        with translating(*LANGUAGES[lang]):
            drawn = stage(sandbox.daemon, events, command, selected, kept=kept, lang=lang,
                          generation=sandbox.generation)
            fresh = stage(sandbox.daemon, events, command, selected)
        assert drawn == fresh, op
        assert set(kept.cards) <= set(_objects(sandbox)), "kept only for the objects on the stage"


def test_unchanged_objects_are_not_rebuilt():
    """What it is for: the second drawing after a command that touched one container reuses the
    view models of every other object (the same objects, not equal copies)."""
    sandbox = Sandbox.create(seed=3, scenario="article")
    kept = Kept()
    first = stage(sandbox.daemon, [], "", kept=kept, lang="en")
    target = next(c for c in first.containers if c.state == "running")
    events = sandbox.run(f"docker exec {target.name} touch /new").events
    second = stage(sandbox.daemon, events, "", kept=kept, lang="en")
    before = {c.id: c for c in first.images + first.containers}
    rebuilt = [c.id for c in second.images + second.containers if c is not before.get(c.id)]
    assert rebuilt == [target.id]
    assert second.focus == target.dom_id
    assert any(line.fresh for c in second.containers if c.id == target.id for line in c.rw_shown)


def test_the_whole_view_is_reused_while_nothing_on_the_stage_changed():
    """A run of looks (ps, inspect, logs…) reuses the last view whole; a change, an undo, news, another
    selection or an `image ls -a` draws it again (what it was drawn from: stage()'s `generation`)."""
    sandbox = Sandbox.create(seed=3, scenario="article")
    kept = Kept()

    def draw(events=(), command="", selected=""):
        return stage(sandbox.daemon, list(events), command, selected, kept=kept, lang="en",
                     generation=sandbox.generation)

    first = draw()
    for look in ("docker ps -a", "docker image inspect nginx", "docker logs web", "ls"):
        assert sandbox.run(look).events == [] and draw(command=look) is first, look
    tagged = sandbox.run("docker tag alpine mine:v1")
    news = draw(tagged.events, "docker tag alpine mine:v1")
    assert news is not first and any("mine:v1" in i.tags for i in news.images)
    sandbox.run("docker ps")
    plain = draw(command="docker ps")                   # the news' highlight gone: drawn once more
    assert plain is not news and draw(command="docker ps") is plain
    assert draw(command="docker image ls -a") is not plain            # intermediates shown
    assert draw(selected=plain.images[0].id) is not plain             # a selection
    sandbox.undo()
    assert not any("mine:v1" in i.tags for i in draw().images)       # the state went back
