"""The terminal line around docker: chains, redirections, $(…), env prefixes, host commands."""
from engine.events import Cleared
from engine.sandbox import Sandbox


def sandbox():
    sb = Sandbox.create(seed=3)
    sb.run("docker pull alpine")
    return sb


def test_and_chain_stops_at_first_failure_or_runs_alternative():
    sb = sandbox()
    r = sb.run("docker rm nosuch && docker ps -a")
    assert r.exit_code == 1 and "CONTAINER ID" not in r.stdout
    assert r.stderr == "Error response from daemon: No such container: nosuch\n"
    r = sb.run("docker rm nosuch || echo fallback")
    assert r.exit_code == 0 and r.stdout == "fallback\n"
    r = sb.run("docker create --name ab alpine; docker rm ab")
    assert r.stdout.splitlines()[-1] == "ab"


def test_command_substitution_splices_ids():
    sb = sandbox()
    sb.run("docker create --name one alpine")
    sb.run("docker create --name two alpine")
    r = sb.run("docker rm $(docker ps -aq)")
    assert r.exit_code == 0 and len(r.stdout.split()) == 2
    assert sb.run("docker ps -aq").stdout == ""


def test_redirect_to_host_file_and_back():
    sb = sandbox()
    assert sb.run("docker save alpine > alpine.tar").exit_code == 0
    assert "alpine.tar" in sb.run("ls").stdout
    listing = sb.run("tar -tvf alpine.tar").stdout
    assert "manifest.json" in listing and "blobs/" in listing
    refused = sb.run("docker save alpine")
    assert refused.exit_code == 1
    assert refused.stderr == "cowardly refusing to save to a terminal. Use the -o flag or redirect\n"
    sb.run("docker rmi alpine")
    loaded = sb.run("docker load < alpine.tar")
    assert loaded.stdout == "Loaded image: alpine:latest\n"


def test_host_commands_and_unknown_programs():
    sb = sandbox()
    sb.host_write("Dockerfile", b"FROM alpine\n")
    assert sb.run("cat Dockerfile").stdout == "FROM alpine\n"
    assert sb.run("pwd").stdout == "/home/learner\n"
    r = sb.run("vim Dockerfile")
    assert r.exit_code == 127 and "command not found" in r.stderr
    assert "LayerLab understands" in sb.run("help").stdout


def test_syntax_errors_change_nothing():
    sb = sandbox()
    before = sb.daemon.to_json()
    for line in ["docker run 'unterminated", "docker ps |", "docker ps | grep x", "&& docker ps"]:
        r = sb.run(line)
        assert r.exit_code == 2 and r.stderr.startswith("sh: ")
    assert sb.daemon.to_json()["images"] == before["images"]


def test_too_long_line_is_refused_with_the_limit():
    r = sandbox().run("docker ps " + "x" * 5000)
    assert r.exit_code == 2 and "limit is 4096" in r.stderr


def test_clear_is_not_logged_and_undo_replays():
    sb = sandbox()
    assert sb.run("clear").events == [Cleared()]
    sb.run("docker create --name keep alpine")
    sb.run("docker rm keep")
    assert sb.undo()
    assert "keep" in sb.run("docker ps -a").stdout


def test_an_internal_error_changes_nothing(monkeypatch):
    import engine.sandbox as sandbox_module
    sb = Sandbox.create(seed=3, scenario="article")
    before = sb.daemon.to_json()
    real = sandbox_module.run_line
    calls = []

    def broken_once(line, daemon, host):
        if not calls:
            calls.append(line)
            daemon.images.clear()  # half-done damage, then a bug
            raise RuntimeError("bug")
        return real(line, daemon, host)

    monkeypatch.setattr(sandbox_module, "run_line", broken_once)
    r = sb.run("docker ps")
    assert r.exit_code == 1 and "internal error" in r.stderr
    assert sb.daemon.to_json() == before and sb.log == []


def test_redo_runs_again_what_undo_took_back_until_a_new_command():
    sb = sandbox()
    sb.run("docker create --name one alpine")
    sb.run("docker create --name two alpine")
    after_both = sb.daemon.to_json()
    assert sb.undo() and sb.undo()
    assert sb.redo().exit_code == 0 and sb.redo().exit_code == 0
    assert sb.daemon.to_json() == after_both and sb.redo() is None
    sb.undo()
    sb.run("docker ps")
    assert sb.redo() is None  # a new command discards what was undone
    restored = Sandbox.from_json(sb.to_json())
    assert restored.undone == sb.undone


def test_real_docker_commands_outside_the_model_are_named_honestly():
    sb = sandbox()
    r = sb.run("docker network ls")
    assert r.exit_code == 1
    assert r.stderr.startswith("LayerLab: `docker network` is real Docker, but LayerLab does not simulate networks")
    r = sb.run("docker run -v /data:/data alpine ls")
    assert r.exit_code == 125 and "--volume is real Docker" in r.stderr
    assert sb.run("docker nosuch").stderr.startswith("docker: unknown command: docker nosuch")


def test_tab_completes_names_where_docker_takes_them_and_nothing_where_it_takes_a_path():
    sb = sandbox()
    sb.run("docker create --name webby alpine")
    assert sb.complete("docker rmi al") == ["alpine:latest"]
    assert sb.complete("docker start we") == ["webby"]
    assert sb.complete("docker build ") == [] and sb.complete("docker image build ") == []
