"""Dockerfile parsing: continuations, comments, JSON forms, and Docker's parse errors."""
import pytest

from engine.build.dockerfile import DockerfileError, dockerignore_filter, parse, substitute


def test_continuations_comments_and_forms():
    text = (
        "# syntax comment\n"
        "FROM alpine:3.22 AS base\n"
        "RUN apk add curl \\\n"
        "    # a comment inside the continuation\n"
        "    && echo done\n"
        'CMD ["cat", "/greeting"]\n'
        "ENTRYPOINT echo hi\n"
        "COPY --chown=1:1 a.txt b.txt /app/\n"
    )
    ins = parse(text)
    assert [i.keyword for i in ins] == ["FROM", "RUN", "CMD", "ENTRYPOINT", "COPY"]
    assert ins[0].args == ["alpine:3.22", "AS", "base"]
    assert ins[1].args == ["apk add curl && echo done"] and ins[1].line == 3
    assert ins[2].json_form and ins[2].args == ["cat", "/greeting"]
    assert not ins[3].json_form and ins[3].args == ["echo hi"]
    assert ins[4].flags == {"chown": "1:1"} and ins[4].args == ["a.txt", "b.txt", "/app/"]


@pytest.mark.parametrize("text, message", [
    ("FROM alpine\nADDD . .\n", "dockerfile parse error on line 2: unknown instruction: ADDD (did you mean ADD?)"),
    ("FORM alpine\n", "dockerfile parse error on line 1: unknown instruction: FORM (did you mean FROM?)"),
    ("FROM alpine\nCOPY app.py\n", "dockerfile parse error on line 2: COPY requires at least two arguments, "
                                  "but only one was provided. Destination could not be determined"),
    ("\n\n", "the Dockerfile cannot be empty"),
    ("RUN echo hi\n", "dockerfile parse error on line 1: no build stage in current context"),
])
def test_parse_errors_use_dockers_words(text, message):
    with pytest.raises(DockerfileError) as err:
        parse(text)
    assert str(err.value) == message


def test_variable_substitution_forms():
    env = {"A": "x", "EMPTY": ""}
    assert substitute("$A/${A}/${EMPTY:-d}/${A:+alt}/${NOPE}", env) == "x/x/d/alt/"


def test_dockerignore_with_exceptions():
    excluded = dockerignore_filter("# comment\n*.log\nsecret/\n!keep.log\n")
    assert excluded("debug.log") and excluded("secret/key") and not excluded("keep.log")
    assert not excluded("app.py")
