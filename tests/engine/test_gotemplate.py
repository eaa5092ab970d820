"""The Go text/template subset behind `docker ... --format`, with Go's own output and error texts."""
import pytest

from engine.cli.formatter.goprint import GoNil
from engine.cli.gotemplate.template import TemplateError, is_table_format, parse, render, table_template

IMAGE = {
    "Id": "sha256:0b1edfbffd27c935a666e233a0042ed634205f6f754dbe20769a60369c614f85",
    "RepoTags": ["busybox:latest"],
    "Config": {"Cmd": ["sh", "-c", "echo hi"], "Env": ["PATH=/bin"], "Labels": None},
    "RootFS": {"Type": "layers", "Layers": ["sha256:aaa", "sha256:bbb"]},
    "State": {"Status": "running", "Running": True, "ExitCode": 0},
    "Size": 4261550,
}


def error_of(template, data=IMAGE, **options):
    with pytest.raises(TemplateError) as caught:
        render(template, data, **options)
    return caught.value.message


# -- the reference examples ---------------------------------------------------------------------

@pytest.mark.parametrize("template,expected", [
    ("{{.Id}}", IMAGE["Id"]),
    ("{{json .RootFS}}", '{"Type":"layers","Layers":["sha256:aaa","sha256:bbb"]}'),
    ("{{range .RootFS.Layers}}{{println .}}{{end}}", "sha256:aaa\nsha256:bbb\n"),
    ("{{.State.Status}}", "running"),
    ("{{.Config.Cmd}}", "[sh -c echo hi]"),
    ("{{.Size}}", "4261550"),
    ("{{.State.Running}}", "true"),
])
def test_reference_examples(template, expected):
    assert render(template, IMAGE) == expected


# -- language features --------------------------------------------------------------------------

@pytest.mark.parametrize("template,expected", [
    ("id={{.Id | printf \"%.12s\"}}", "id=sha256:0b1ed"),
    ("{{if .State.Running}}up{{else}}down{{end}}", "up"),
    ("{{if .Config.Labels}}L{{else if .Config.Env}}E{{else}}-{{end}}", "E"),
    ("{{range $i, $l := .RootFS.Layers}}{{$i}}={{$l}} {{end}}", "0=sha256:aaa 1=sha256:bbb "),
    ("{{range .Missing}}x{{else}}none{{end}}", "none"),
    ("{{with .State}}{{.Status}}/{{.ExitCode}}{{end}}", "running/0"),
    ("{{$t := index .RepoTags 0}}{{$t}}", "busybox:latest"),
    ('{{join .Config.Cmd " "}}', "sh -c echo hi"),
    ("{{upper .State.Status}} {{lower \"ABC\"}} {{title \"hello big-world\"}}", "RUNNING abc Hello Big-World"),
    ("{{len .RootFS.Layers}} {{len \"日本\"}}", "2 6"),
    ('{{index .Config "Cmd"}} {{index .Config.Cmd 2}}', "[sh -c echo hi] echo hi"),
    ('{{printf "%s:%d" .State.Status .Size}}', "running:4261550"),
    ('{{split "a:b:c" ":"}}', "[a b c]"),
    ('[{{pad .State.Status 1 2}}][{{pad "" 1 2}}]', "[ running  ][]"),
    ('{{truncate .State.Status 3}}', "run"),
    ('{{if eq .State.Status "running" "paused"}}active{{end}}', "active"),
    ('{{if and .State.Running (not .Config.Labels)}}ok{{end}}', "ok"),
    ('{{or .Nope "default"}}', "default"),
    ("a  {{- .State.Status -}}  \n b", "arunningb"),
    ("{{/* a comment */}}x{{- /* trimmed */ -}} y", "xy"),
    ("{{print .Nope}}|{{.Nope}}|{{json .Nope}}", "<nil>|<no value>|null"),
    ("{{(index .RootFS.Layers 1)}}", "sha256:bbb"),
    ("{{range 3}}{{.}}{{end}}", "012"),
    ("tab\\t stays", "tab\\t stays"),
])
def test_features(template, expected):
    assert render(template, IMAGE) == expected


def test_range_over_map_is_in_sorted_key_order():
    assert render("{{range $k, $v := .}}{{$k}}={{$v}} {{end}}", {"b": 2, "a": 1, "C": 3}) == "C=3 a=1 b=2 "


def test_dot_prints_a_go_map():
    assert render("{{.}}", {"b": ["x"], "a": None}) == "map[a:<nil> b:[x]]"


def test_nil_values_print_as_go_does():
    data = {"Labels": None, "Typed": GoNil("map[string]string"), "Cmd": GoNil("[]string"),
            "Health": GoNil("*container.Health")}
    assert render("{{.Labels}}|{{.Typed}}|{{.Cmd}}|{{.Health}}", data) == "<no value>|map[]|[]|<nil>"
    assert render("{{json .Typed}}{{if .Cmd}}x{{end}}", data) == "null"


def test_struct_like_objects_fields_and_methods():
    class ContainerContext:
        go_type = "*formatter.ContainerContext"

        def __init__(self):
            self.Names = "web"

        def ID(self):
            return "4c01db0b339c"

        def Label(self, name):
            return {"a": "1"}.get(name, "")

    ctx = ContainerContext()
    assert render('{{.ID}} {{.Names}} {{.Label "a"}}', ctx) == "4c01db0b339c web 1"
    assert error_of("{{.Nope}}", ctx) == \
        'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext'


def test_header_functions_leave_header_names_untouched():
    header = parse("{{json .ID}}\t{{upper .Names}}\t{{truncate .Image 2}}", header=True)
    assert header.execute({"ID": "CONTAINER ID", "Names": "NAMES", "Image": "IMAGE"}) == "CONTAINER ID\tNAMES\tIMAGE"


# -- errors ------------------------------------------------------------------------------------

def test_inspect_missing_key_with_missingkey_error():
    assert error_of("{{.Nope}}", missingkey="error") == \
        'template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"'
    assert error_of("{{.Config.Nope}}", missingkey="error") == \
        'template: :1:9: executing "" at <.Config.Nope>: map has no entry for key "Nope"'


def test_missing_key_by_default_prints_no_value():
    assert render("{{.Nope}}", IMAGE) == "<no value>"


@pytest.mark.parametrize("template,message", [
    ("{{.Id.Foo}}", 'template: :1:5: executing "" at <.Id.Foo>: can\'t evaluate field Foo in type interface {}'),
    ("{{.Config.Labels.x}}",
     'template: :1:9: executing "" at <.Config.Labels.x>: nil pointer evaluating interface {}.x'),
    ("{{join .Config.Cmd}}",
     'template: :1:2: executing "" at <join>: wrong number of args for join: want 2 got 1'),
    ("{{index .RootFS.Layers 5}}",
     'template: :1:2: executing "" at <index .RootFS.Layers 5>: error calling index: index out of range: 5'),
    ("{{upper 5}}", 'template: :1:8: executing "" at <5>: expected string; found 5'),
    ("{{upper .Size}}", 'template: :1:8: executing "" at <.Size>: wrong type for value; expected string; got int'),
    ("{{range .Id}}{{end}}",
     'template: :1:8: executing "" at <.Id>: range can\'t iterate over ' + IMAGE["Id"]),
    ("{{.Id 1}}", 'template: :1:2: executing "" at <.Id>: Id is not a method but has arguments'),
])
def test_execution_errors(template, message):
    assert error_of(template) == message


@pytest.mark.parametrize("template,message", [
    ("{{.Foo", "template: :1: unclosed action"),
    ("{{.Foo}", "template: :1: bad character U+007D '}'"),
    ("{{ } }}", 'template: :1: unexpected "}" in command'),
    ("{{}}", "template: :1: missing value for command"),
    ("{{end}}", "template: :1: unexpected {{end}}"),
    ("{{if .X}}open", "template: :1: unexpected EOF"),
    ("{{nope .X}}", 'template: :1: function "nope" not defined'),
    ("{{$x}}", 'template: :1: undefined variable "$x"'),
    ('{{"abc}}', "template: :1: unterminated quoted string"),
    ("{{3 | 4}}", "template: :1: non executable command in pipeline stage 2"),
    ("{{/* x */ }}", "template: :1: comment ends before closing delimiter"),
    ("a\n{{if .X}}\n{{else}}\n{{else}}", "template: :4: expected end; found {{else}}"),
])
def test_parse_errors_are_raised_before_any_data(template, message):
    with pytest.raises(TemplateError) as caught:
        parse(template)
    assert caught.value.message == message
    assert caught.value.docker_message == "template parsing error: " + message


def test_no_python_reaches_through_templates():
    assert error_of("{{__import__}}") == 'template: :1: function "__import__" not defined'
    assert render("{{.__class__}}", IMAGE) == "<no value>"

    class Ctx:
        go_type = "*formatter.ImageContext"

    assert error_of("{{.__class__}}", Ctx()) == \
        'template: :1:2: executing "" at <.__class__>: can\'t evaluate field __class__ in type *formatter.ImageContext'


# -- docker's --format preprocessing ------------------------------------------------------------

def test_table_format_helpers():
    assert is_table_format("table {{.ID}}") and not is_table_format("{{.ID}}")
    assert table_template("table {{.ID}}\\t{{.Names}}  ") == "{{.ID}}\t{{.Names}}"
    assert table_template("{{.ID}}\\n") == "{{.ID}}\n"
    assert table_template("json") == "{{json .}}"
