"""Rendering primitives against docker/cli goldens, go-units tests and Go's fmt/strconv/json behaviour."""
import pytest

from engine.cli.formatter.display import (display_width, ellipsis, human_duration, human_duration_ns, human_size,
                                          human_size4, quote_go, rfc3339, rfc3339nano, since, table, tabwrite)
from engine.cli.formatter.gojson import go_json, json_indent
from engine.cli.formatter.goprint import GoNil, go_print, go_sprint, go_sprintf, go_sprintln

NS = 1_000_000_000


# -- table writer -------------------------------------------------------------------------------

def test_image_table_from_docker_cli_image_test():
    rows = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"],
            ["image", "tag1", "imageID1", "24 hours ago", "0B"],
            ["image", "tag2", "imageID2", "N/A", "0B"],
            ["<none>", "<none>", "imageID3", "24 hours ago", "0B"]]
    assert table(rows) == (
        "REPOSITORY   TAG       IMAGE ID   CREATED        SIZE\n"
        "image        tag1      imageID1   24 hours ago   0B\n"
        "image        tag2      imageID2   N/A            0B\n"
        "<none>       <none>    imageID3   24 hours ago   0B\n")


def test_empty_result_is_header_only():
    header = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
    assert table([header]) == "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"


def test_empty_last_column_leaves_padding_of_previous_column():
    # golden history-command-success.platform.golden: the empty COMMENT leaves trailing spaces
    rows = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"],
            ["123456789012", "Less than a second ago", "", "0B", ""]]
    assert table(rows) == (
        "IMAGE          CREATED                  CREATED BY   SIZE      COMMENT\n"
        "123456789012   Less than a second ago                0B        \n")


def test_buildkit_history_example_from_docs():
    rows = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"],
            ["8bd85c42fa7f", "3 minutes ago", 'CMD ["/bin/sh" "-c" "/app/hello.sh"]', "0B", "buildkit.dockerfile.v0"],
            ["<missing>", "7 weeks ago", '/bin/sh -c #(nop)  CMD ["/bin/sh"]', "0B", ""]]
    assert table(rows) == (
        "IMAGE          CREATED         CREATED BY                             SIZE      COMMENT\n"
        '8bd85c42fa7f   3 minutes ago   CMD ["/bin/sh" "-c" "/app/hello.sh"]   0B        buildkit.dockerfile.v0\n'
        '<missing>      7 weeks ago     /bin/sh -c #(nop)  CMD ["/bin/sh"]     0B        \n')


def test_wide_characters_count_two_columns():
    assert display_width("日本") == 4
    assert table([["NAME", "X"], ["日本語", "y"]]) == "NAME      X\n日本語    y\n"


def test_column_blocks_are_broken_by_lines_without_that_cell():
    # Go tabwriter: a line with fewer cells ends the column block; later lines are aligned anew
    text = "a\tbbbbbbbbbbbbbb\tc\nx\n1\t2\t3\n"
    assert tabwrite(text) == "a         bbbbbbbbbbbbbb   c\nx\n1         2         3\n"


# -- sizes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("size,text", [
    (0, "0B"), (39, "39B"), (1000, "1kB"), (1024, "1.02kB"), (133000, "133kB"), (222, "222B"),
    (2150000, "2.15MB"), (5600000, "5.6MB"), (7750000, "7.75MB"), (77900000, "77.9MB"),
    (1089000000, "1.09GB"), (999999, "1e+03kB"), (10 ** 27, "1e+03YB"),
])
def test_human_size_precision_3(size, text):
    assert human_size(size) == text


@pytest.mark.parametrize("size,text", [(1000, "1kB"), (1024, "1.024kB"), (1000000, "1MB"),
                                       (1048576, "1.049MB"), (3.42e9, "3.42GB")])
def test_human_size_precision_4_go_units_tests(size, text):
    assert human_size4(size) == text


# -- durations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds,text", [
    (0, "Less than a second"), (0.999, "Less than a second"), (-5, "Less than a second"),
    (1, "1 second"), (1.9, "1 second"), (2, "2 seconds"), (59, "59 seconds"),
    (60, "About a minute"), (119, "About a minute"), (120, "2 minutes"), (59 * 60 + 59, "59 minutes"),
    (3600, "About an hour"), (89 * 60 + 59, "About an hour"), (90 * 60, "2 hours"),
    (47 * 3600, "47 hours"), (47 * 3600 + 29 * 60, "47 hours"), (47 * 3600 + 30 * 60, "2 days"),
    (13 * 86400, "13 days"), (14 * 86400 - 1801, "13 days"), (14 * 86400, "2 weeks"),
    (59 * 86400, "8 weeks"), (60 * 86400, "2 months"), (729 * 86400, "24 months"),
    (730 * 86400, "2 years"), (3 * 365 * 86400, "3 years"),
])
def test_human_duration_boundaries(seconds, text):
    assert human_duration(seconds) == text


def test_since_appends_ago_and_works_in_nanoseconds():
    assert since(10 * NS, 10 * NS) == "Less than a second ago"
    assert since(1000 * NS, 1000 * NS - 24 * 3600 * NS) == "24 hours ago"
    assert "Up " + human_duration_ns(125 * NS) == "Up 2 minutes"


# -- ellipsis and quoting ------------------------------------------------------------------------

def test_ellipsis_matches_docker_ps_and_history():
    assert ellipsis("/docker-entrypoint.sh nginx -g 'daemon off;'", 20) == "/docker-entrypoint.…"
    assert ellipsis("sleep 1000", 20) == "sleep 1000"
    created_by = "RUN /bin/sh -c chmod +x /app/hello.sh # buildkit"
    assert ellipsis(created_by, 45) == "RUN /bin/sh -c chmod +x /app/hello.sh # buil…"
    assert ellipsis("/bin/sh -c #(nop) ADD file:f278386b0cef68136129f5f58c52445590a417b624d62bca158d4dc926c340df in / ", 45) \
        == "/bin/sh -c #(nop) ADD file:f278386b0cef68136…"


def test_ellipsis_wide_runes_and_tiny_widths():
    assert ellipsis("日本語のテキスト", 5) == "日本…"
    assert ellipsis("日本", 4) == "日本"
    assert ellipsis("abc", 1) == "a"
    assert ellipsis("abc", 0) == ""


def test_quote_go_like_strconv_quote():
    assert quote_go(ellipsis("/docker-entrypoint.sh nginx", 20)) == '"/docker-entrypoint.…"'
    assert quote_go(ellipsis("sh -c \"echo \\\\x\"  ", 12)) == r'"sh -c \"echo…"'
    assert quote_go('say "hi"\\') == r'"say \"hi\"\\"'
    assert quote_go("a\tb\nc\x01\x7f") == r'"a\tb\nc\x01\x7f"'
    assert quote_go("\u00a0\u200b é 日本") == '"\\u00a0\\u200b é 日本"'


# -- time --------------------------------------------------------------------------------------

def test_rfc3339nano_trims_trailing_zeros():
    assert rfc3339nano(1787220001123456789) == "2026-08-20T10:00:01.123456789Z"
    assert rfc3339nano(1787220312987654320) == "2026-08-20T10:05:12.98765432Z"
    assert rfc3339nano(1787220312 * NS) == "2026-08-20T10:05:12Z"
    assert rfc3339nano(0) == rfc3339nano(None) == "0001-01-01T00:00:00Z"


def test_rfc3339_seconds():
    assert rfc3339(1483272003 * NS + 999) == "2017-01-01T12:00:03Z"
    assert rfc3339(None) == "0001-01-01T00:00:00Z"


# -- JSON --------------------------------------------------------------------------------------

def test_go_json_compact_keeps_key_order_and_escapes_html():
    value = {"Type": "layers", "Layers": ["sha256:1"], "Cmd": ["a<b>&c"], "N": 3, "B": False, "X": None}
    assert go_json(value) == \
        '{"Type":"layers","Layers":["sha256:1"],"Cmd":["a\\u003cb\\u003e\\u0026c"],"N":3,"B":false,"X":null}'
    assert go_json(value, escape_html=False).endswith('"Cmd":["a<b>&c"],"N":3,"B":false,"X":null}')


def test_go_json_strings_and_floats():
    assert go_json("tab\tnl\n\x01\b\u2028") == '"tab\\tnl\\n\\u0001\\b\\u2028"'
    assert go_json([1.0, 0.5, 1e-7, 1e21, 123456789.0]) == "[1,0.5,1e-7,1e+21,123456789]"
    assert go_json(GoNil("[]string")) == "null"


def test_json_indent_like_docker_inspect():
    value = [{"Id": "sha256:x", "RepoTags": [], "Config": {"Cmd": ["sh"], "Labels": None, "Volumes": {}}}]
    assert json_indent(value) == (
        "[\n"
        "    {\n"
        '        "Id": "sha256:x",\n'
        '        "RepoTags": [],\n'
        '        "Config": {\n'
        '            "Cmd": [\n'
        '                "sh"\n'
        "            ],\n"
        '            "Labels": null,\n'
        '            "Volumes": {}\n'
        "        }\n"
        "    }\n"
        "]")
    assert json_indent({"a": "<&>"}) == '{\n    "a": "<&>"\n}'  # the daemon does not HTML-escape


# -- Go value printing -------------------------------------------------------------------------

def test_go_print_values():
    assert go_print(["sh", "-c", "echo hi"]) == "[sh -c echo hi]"
    assert go_print({"b": 1, "a": [True, None]}) == "map[a:[true <nil>] b:1]"
    assert go_print({}) == "map[]"
    assert go_print(None) == "<nil>"
    assert go_print(42) == "42"
    assert go_print([1.0, 2.5, 1e6, 123456.0, 1e-5]) == "[1 2.5 1e+06 123456 1e-05]"
    assert go_print(GoNil("[]string")) == "[]"
    assert go_print(GoNil("map[string]string")) == "map[]"
    assert go_print(GoNil("*container.Health")) == "<nil>"


def test_sprint_and_sprintln_spacing():
    assert go_sprint("a", 1, 2, "b") == "a1 2b"
    assert go_sprintln("a", 1) == "a 1\n"


def test_sprintf_verbs_and_errors():
    assert go_sprintf("%s=%d|%5s|%-5s|%05d|%q|%t|%v|%x", "k", 3, "ab", "cd", 42, "a\n", True, [1, "x"], 255) \
        == 'k=3|   ab|cd   |00042|"a\\n"|true|[1 x]|ff'
    assert go_sprintf("%d", "x") == "%!d(string=x)"
    assert go_sprintf("%s %s", "a") == "a %!s(MISSING)"
    assert go_sprintf("%s", "a", 2) == "a%!(EXTRA int=2)"
    assert go_sprintf("%.2f%%", 3.14159) == "3.14%"


def test_ascii_controls_are_zero_wide_and_printable_ascii_one_column():
    # go-runewidth: C0 controls and DEL take no column, so a cell's width is not always len()
    assert display_width("ab~ ") == 4
    assert display_width("a\x01b\x7f") == 2
    assert table([["A", "B"], ["x\x1by", "z"]]) == "A         B\nx\x1by        z\n"  # 2 columns + 8


def test_go_json_escapes_quotes_backslashes_and_html_in_plain_ascii():
    assert go_json('say "hi" \\ <b>&') == '"say \\"hi\\" \\\\ \\u003cb\\u003e\\u0026"'
    assert go_json('say "hi" \\ <b>&', escape_html=False) == '"say \\"hi\\" \\\\ <b>&"'
