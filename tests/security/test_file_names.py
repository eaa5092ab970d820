"""File names in the host working directory: no control characters and no invisible bidi or line
controls (a name that reads as another: "invoice\u202etxt.exe" shows as "invoiceexe.txt"); the
error is shell-style and shows the name with the controls escaped. Legitimate names still work."""
from __future__ import annotations

import pytest

from engine.errors import HostError
from engine.host import HostDir, clean_path
from engine.sandbox import Sandbox

SPOOFING = ["invoice\u202etxt.exe", "a\u202ab", "a\u202bb", "a\u202cb", "a\u202db", "\u2066x\u2069", "\u2067x", "\u2068x",
            "left\u200emark", "right\u200fmark", "line\u2028sep", "para\u2029sep"]
CONTROLS = ["new\nline", "tab\there", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x85", "csi\x9b", "nul\x00"]


@pytest.mark.parametrize("name", SPOOFING + CONTROLS)
def test_refused_with_the_controls_shown_escaped(name):
    with pytest.raises(HostError) as error:
        clean_path(name)
    message = str(error.value)
    assert message.startswith("$'") and "invalid file name: control characters and bidirectional formatting characters" in message
    assert not any(ch in message for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
                   "\u2028\u2029\n\t\x07\x1b\x7f\x85\x9b\x00")


def test_the_message_reads_like_bash():
    with pytest.raises(HostError) as error:
        clean_path("invoice\u202etxt.exe")
    assert str(error.value) == ("$'invoice\\u202etxt.exe': invalid file name: control characters and "
                                "bidirectional formatting characters are not allowed")
    with pytest.raises(HostError, match=r"^\$'a\\tb'"):
        clean_path("a\tb")


@pytest.mark.parametrize("name", ["...", "..config", "a..b", ".hidden", "dir/...", "名字.txt", "שלום.txt",
                                  "a b", "a\u00a0b", "emoji-\U0001f433.txt", "x" * 255])
def test_legitimate_names_are_kept(name):
    assert clean_path(name) == name
    host = HostDir()
    host.write(name, b"ok")
    assert host.read(name) == b"ok"


@pytest.mark.parametrize("name", ["..", "../x", "a/../../x", "/etc/passwd", "", "a\\b"])
def test_escapes_from_the_working_directory_are_still_refused(name):
    with pytest.raises(HostError, match="not a path in the working directory"):
        clean_path(name)


def test_the_terminal_refuses_and_changes_nothing():
    sandbox = Sandbox.create(seed=0)
    sandbox.run("docker pull alpine")
    before = sandbox.host_files()
    for line, prefix in (("echo hi > invoice\u202etxt.exe", "sh: "),
                         ("docker save -o alpine\u2066.tar alpine", "failed to save image: ")):
        result = sandbox.run(line)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.startswith(prefix + "$'") and "\u202e" not in result.stderr and "\u2066" not in result.stderr
    assert sandbox.host_files() == before
    assert sandbox.run("echo hi > ...").exit_code == 0
    assert sandbox.run("cat ...").stdout == "hi\n"


def test_the_api_refuses_too(make_app):
    app = make_app()
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    answer = client.put(f"/api/sandboxes/{sandbox_id}/host/evil%E2%80%AEtxt.exe", data=b"x")
    assert answer.status_code == 400
    assert "invalid file name" in answer.get_json()["error"] and "\u202e" not in answer.get_json()["error"]
    assert client.put(f"/api/sandboxes/{sandbox_id}/host/...", data=b"dots").status_code == 201
    assert client.get(f"/api/sandboxes/{sandbox_id}").get_json()["host"] == ["..."]
