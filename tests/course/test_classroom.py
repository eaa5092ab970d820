"""Class mode's pure rules: join codes, stuck detection, the class's common errors."""
import random

from course import classroom
from course.classroom import Activity


def test_join_codes_avoid_look_alikes_and_are_typed_forgivingly():
    rng = random.Random(3)
    codes = {classroom.make_code(rng.randrange) for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 6 and not set(c) & set("0O1lI") for c in codes)
    assert classroom.normalise_code(" abc-def ") == "ABCDEF"


def test_names_are_trimmed_and_bounded():
    assert classroom.clean_name("  Li   Wei ") == "Li Wei"
    assert classroom.clean_name("") is None
    assert classroom.clean_name("x" * 41) is None
    assert classroom.clean_name("a\u0007b") is None


def entry(command, code, error=""):
    output = [["stderr", error + "\n"]] if error else []
    return {"command": command, "exit_code": code, "output": output}


def test_stuck_needs_both_time_without_progress_and_repeated_errors():
    joined = Activity(progress_at=1000.0)
    errors = [entry("docker stp web", 1, "docker: unknown command: docker stp")] * 3
    seen = classroom.observe(joined, errors, ("lesson-a", 0, False), now=1010.0)
    assert not classroom.is_stuck(seen, now=1100.0)          # errors, but only 100 s without progress
    assert classroom.is_stuck(seen, now=1000.0 + classroom.STUCK_AFTER_SECONDS)
    quiet = classroom.observe(joined, [entry("docker ps", 0)], ("lesson-a", 0, False), now=1010.0)
    assert not classroom.is_stuck(quiet, now=5000.0)          # idle but not failing: not stuck


def test_progress_resets_the_stuck_clock():
    errors = [entry("docker stp web", 1, "docker: unknown command: docker stp")] * 3
    seen = classroom.observe(Activity(progress_at=0.0, progress=("a", 0, False)), errors, ("a", 0, False), now=10.0)
    solved = classroom.observe(seen, errors + [entry("docker stop web", 0)], ("a", 1, True), now=400.0)
    assert solved.progress_at == 400.0 and not classroom.is_stuck(solved, now=500.0)


def test_common_errors_count_students_not_repeats_and_name_the_commands():
    a = classroom.observe(Activity(), [entry("docker stp web", 1, "docker: unknown command: docker stp")] * 4,
                          ("x", 0, False), now=100.0)
    b = classroom.observe(Activity(), [entry("docker stp", 1, "docker: unknown command: docker stp"),
                                       entry("docker rm web", 1, "Error response from daemon: conflict")],
                          ("x", 0, False), now=100.0)
    top = classroom.common_errors([a, b], now=150.0)
    assert (top[0].error, top[0].students) == ("docker: unknown command: docker stp", 2)
    assert set(top[0].commands) == {"docker stp web", "docker stp"}
    assert classroom.common_errors([a, b], now=100.0 + classroom.RECENT_ERROR_SECONDS + 1) == []
