"""LayerLab's shell: realistic scripts over a UnionFS of two small layers (alpine-like and
debian-like), checking output, exit codes, the upper layer and `docker diff`."""
import importlib.util

import pytest

from engine.events import CopiedUp
from engine.layers.diff import diff
from engine.layers.fs import Entry, Layer
from engine.layers.unionfs import UnionFS
from engine.shell.programs import ExecNotFound, NotExecutable, run

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ENV = {"PATH": PATH, "HOSTNAME": "4f3c2b1a0e9d", "HOME": "/root"}

ALPINE = Layer.from_changes({
    "/bin": Entry.dir(), "/bin/busybox": Entry.file(None, 0o755, size=800_000),
    "/bin/sh": Entry.symlink("/bin/busybox"), "/bin/ls": Entry.symlink("/bin/busybox"),
    "/bin/cat": Entry.symlink("/bin/busybox"), "/bin/echo": Entry.symlink("/bin/busybox"),
    "/etc": Entry.dir(), "/etc/motd": Entry.file("Welcome to Alpine!\n"),
    "/etc/group": Entry.file("root:x:0:root\nbin:x:1:root,bin,daemon\nwheel:x:10:root\n"),
    "/root": Entry.dir(0o700), "/tmp": Entry.dir(0o1777),
    "/usr": Entry.dir(), "/usr/bin": Entry.dir(), "/var": Entry.dir(),
})
APP = Layer.from_changes({
    "/app": Entry.dir(), "/app/run.sh": Entry.file("#!/bin/sh\necho running $1\n", 0o755),
    "/app/notes.txt": Entry.file("alpha\nbeta\ngamma\n"), "/usr/bin/vim": Entry.file(None, 0o755, size=10),
    "/app/data.bin": Entry.file("x", 0o644),
})

DEBIAN = Layer.from_changes({
    "/bin": Entry.symlink("usr/bin"), "/usr": Entry.dir(), "/usr/bin": Entry.dir(),
    "/usr/bin/dash": Entry.file(None, 0o755, size=125_000), "/usr/bin/sh": Entry.symlink("dash"),
    "/usr/bin/bash": Entry.file(None, 0o755, size=1_265_000), "/usr/bin/cat": Entry.file(None, 0o755, size=44_000),
    "/usr/bin/echo": Entry.file(None, 0o755, size=35_000), "/usr/bin/sleep": Entry.file(None, 0o755, size=35_000),
    "/usr/bin/ls": Entry.file(None, 0o755, size=150_000), "/usr/sbin": Entry.dir(),
    "/etc": Entry.dir(), "/etc/motd": Entry.file("Debian\n"), "/tmp": Entry.dir(0o1777),
    "/var": Entry.dir(), "/var/lib": Entry.dir(), "/var/lib/dpkg": Entry.dir(),
    "/var/lib/dpkg/status": Entry.file("Package: base-files\n"), "/root": Entry.dir(0o700),
})
NGINX = Layer.from_changes({
    "/usr/sbin/nginx": Entry.file(None, 0o755, size=1_300_000), "/run": Entry.dir(),
    "/var/cache": Entry.dir(), "/var/cache/nginx": Entry.dir(),
    "/docker-entrypoint.sh": Entry.file("#!/bin/sh\n# /docker-entrypoint.d/\nset -e\n\nexec \"$@\"\n", 0o755),
    "/docker-entrypoint.d": Entry.dir(),
    "/docker-entrypoint.d/10-listen-on-ipv6-by-default.sh": Entry.file("#!/bin/sh\n", 0o755),
    "/docker-entrypoint.d/15-local-resolvers.envsh": Entry.file("#!/bin/sh\n", 0o755),
    "/docker-entrypoint.d/20-envsubst-on-templates.sh": Entry.file("#!/bin/sh\n", 0o755),
    "/docker-entrypoint.d/30-tune-worker-processes.sh": Entry.file("#!/bin/sh\n", 0o755),
    "/etc/nginx": Entry.dir(), "/etc/nginx/conf.d": Entry.dir(),
    "/etc/nginx/conf.d/default.conf": Entry.file("server {\n    listen       80;\n    server_name  localhost;\n}\n"),
    "/tmp/marker": Entry.file(""),
})


def alpine():
    return UnionFS([ALPINE, APP], {})


def debian():
    return UnionFS([DEBIAN, NGINX], {})


def sh(fs, script, flavor="busybox", argv0="/bin/sh", **kw):
    return run([argv0, "-c", script], fs, env=ENV, workdir="/", flavor=flavor, **kw)


def changes(fs):
    return [f"{kind} {path}" for kind, path in diff(fs.lower_merged, fs.upper)]


def test_write_then_read_and_docker_diff():
    fs = alpine()
    result = sh(fs, "echo hi > /tmp/x && cat /tmp/x")
    assert (result.stdout, result.stderr, result.exit_code, result.process) == ("hi\n", "", 0, None)
    assert fs.upper["/tmp/x"] == Entry.file("hi\n")
    assert changes(fs) == ["C /tmp", "A /tmp/x"]


def test_append_copies_up_a_lower_file():
    fs = alpine()
    sh(fs, "echo 'more' >> /etc/motd")
    assert fs.read("/etc/motd") == "Welcome to Alpine!\nmore\n"
    assert fs.events == [CopiedUp("/etc/motd")]
    assert changes(fs) == ["C /etc", "C /etc/motd"]


def test_quoting_and_variables():
    fs = alpine()
    result = sh(fs, "NAME=world; echo \"hello $NAME\" 'no $NAME' ${MISSING:-fallback} a\\ b; echo $HOME")
    assert result.stdout == "hello world no $NAME fallback a b\n/root\n"


def test_busybox_error_texts_and_status():
    fs = alpine()
    result = sh(fs, "cat /nope; rm /nope; mkdir /etc; touch /no/dir/f; ls /nope; echo status=$?")
    assert result.stderr == (
        "cat: can't open '/nope': No such file or directory\n"
        "rm: can't remove '/nope': No such file or directory\n"
        "mkdir: can't create directory '/etc': File exists\n"
        "touch: /no/dir/f: No such file or directory\n"
        "ls: /nope: No such file or directory\n")
    assert result.stdout == "status=1\n"


def test_gnu_error_texts_under_dash():
    fs = debian()
    result = sh(fs, "cat /nope; rm /nope; ls /nope; echo $?; curl x", flavor="gnu")
    assert result.stderr == (
        "cat: /nope: No such file or directory\n"
        "rm: cannot remove '/nope': No such file or directory\n"
        "ls: cannot access '/nope': No such file or directory\n"
        "/bin/sh: 1: curl: not found\n")
    assert (result.stdout, result.exit_code) == ("2\n", 127)


def test_not_found_in_each_shell():
    assert sh(alpine(), "curl -s x", argv0="sh").stderr == "sh: curl: not found\n"
    bash = sh(debian(), "true\ncurl x", flavor="gnu", argv0="bash")
    assert (bash.stderr, bash.exit_code) == ("bash: line 2: curl: command not found\n", 127)


def test_dash_echo_prints_dash_e_but_bash_does_not():
    fs = debian()
    assert sh(fs, "echo -e 'a\\tb'", flavor="gnu").stdout == "-e a\tb\n"
    assert sh(fs, "echo -e 'a\\tb'", flavor="gnu", argv0="bash").stdout == "a\tb\n"
    assert sh(alpine(), "echo -n x; echo 'a\\nb'").stdout == "xa\\nb\n"


def test_redirection_errors_and_2_to_1():
    fs = alpine()
    result = sh(fs, "echo a > /no/x; cat /nope > /tmp/out 2>&1; cat /tmp/out")
    assert result.stderr == "/bin/sh: can't create /no/x: nonexistent directory\n"
    assert result.stdout == "cat: can't open '/nope': No such file or directory\n"
    gnu = sh(debian(), "echo a > /no/x", flavor="gnu")
    assert (gnu.stderr, gnu.exit_code) == ("/bin/sh: 1: cannot create /no/x: Directory nonexistent\n", 2)


def test_rm_rf_with_glob_leaves_whiteouts():
    fs = alpine()
    result = sh(fs, "rm -rf /app/*.txt /app/data.bin && ls /app")
    assert result.stdout == "run.sh\n"
    assert fs.upper["/app/notes.txt"] == Entry.whiteout()
    assert changes(fs) == ["C /app", "D /app/data.bin", "D /app/notes.txt"]


def test_mkdir_p_cp_mv_ln_and_diff():
    fs = alpine()
    result = sh(fs, "mkdir -p /data/a && cp /etc/motd /data/a/ && mv /data/a/motd /data/a/m "
                    "&& ln -s /data/a/m /data/link && cat /data/link")
    assert result.stdout == "Welcome to Alpine!\n"
    assert changes(fs) == ["A /data", "A /data/a", "A /data/a/m", "A /data/link"]


def test_ls_long_busybox_and_gnu_formats():
    fs = alpine()
    sh(fs, "echo hello world > /tmp/x")
    assert sh(fs, "ls -l /tmp").stdout == (
        "total 4\n-rw-r--r--    1 root     root            12 Jan 15 09:00 x\n")
    gnu = debian()
    sh(gnu, "echo hello world > /tmp/x", flavor="gnu")
    assert sh(gnu, "ls -l /tmp", flavor="gnu").stdout == (
        "total 4\n-rw-r--r-- 1 root root  0 Jan  1  2000 marker\n"
        "-rw-r--r-- 1 root root 12 Jan 15 09:00 x\n")
    assert sh(gnu, "ls -la /bin", flavor="gnu").stdout == (
        "lrwxrwxrwx 1 root root 7 Jan  1  2000 /bin -> usr/bin\n")


def test_ls_columns_only_on_a_tty():
    fs = alpine()
    assert sh(fs, "ls /").stdout == "app\nbin\netc\nroot\ntmp\nusr\nvar\n"
    assert sh(fs, "ls /", tty=True).stdout == "app   bin   etc   root  tmp   usr   var\n"


def test_sleep_last_keeps_running_and_middle_sleep_continues():
    fs = alpine()
    alone = run(["sleep", "1000"], fs, env=ENV, workdir="/", flavor="busybox")
    assert alone.process.command == "sleep 1000" and alone.process.ends_after == 1000
    assert alone.process.on_sigterm == "ignore"
    chain = sh(fs, "sleep 2 && echo done; sleep 30")
    assert chain.stdout == "done\n"
    assert chain.process.command == "/bin/sh -c sleep 2 && echo done; sleep 30"
    assert chain.process.extra == ["sleep 30"]


def test_exit_code_and_set_e():
    fs = alpine()
    assert sh(fs, "echo a; exit 3; echo b").exit_code == 3
    result = sh(fs, "set -e; false; echo never")
    assert (result.stdout, result.exit_code) == ("", 1)
    assert sh(fs, "false || true").exit_code == 0


def test_unsupported_features_are_said_plainly():
    fs = alpine()
    result = sh(fs, "echo `date`")
    assert result.exit_code == 2
    assert result.stderr == "/bin/sh: LayerLab's shell does not support command substitution (backticks)\n"
    assert "if" in sh(fs, "if true; then echo x; fi").stderr
    vim = sh(fs, "vim /etc/motd")
    assert (vim.stderr, vim.exit_code) == ("LayerLab does not simulate `vim /etc/motd`; nothing was run.\n", 0)


def test_pipes_and_text_tools():
    fs = alpine()
    result = sh(fs, "cat /app/notes.txt | grep -v beta | wc -l; head -n 1 /app/notes.txt; grep -c a /app/notes.txt")
    assert result.stdout == "2\nalpha\n3\n"


def test_exec_errors_for_docker_to_format():
    fs = alpine()
    with pytest.raises(ExecNotFound) as missing:
        run(["nosuch"], fs, env=ENV, workdir="/", flavor="busybox")
    assert missing.value.name == "nosuch"
    with pytest.raises(NotExecutable) as denied:
        run(["/app/notes.txt"], fs, env=ENV, workdir="/", flavor="busybox")
    assert denied.value.reason == "permission denied"
    with pytest.raises(NotExecutable) as is_dir:
        run(["/tmp"], fs, env=ENV, workdir="/", flavor="busybox")
    assert is_dir.value.reason == "is a directory"


def test_bare_shell_exits_unless_interactive():
    fs = debian()
    quick = run(["/bin/bash"], fs, env=ENV, workdir="/", flavor="gnu")
    assert (quick.exit_code, quick.process) == (0, None)
    waiting = run(["/bin/sh"], alpine(), env=ENV, workdir="/", flavor="busybox", interactive=True, tty=True)
    assert waiting.process.command == "/bin/sh" and waiting.process.on_sigterm == "ignore"


def test_shebang_script_runs_through_the_shell():
    result = run(["/app/run.sh", "fast"], alpine(), env=ENV, workdir="/app", flavor="busybox")
    assert result.stdout == "running fast\n"


def test_id_uname_whoami_pwd():
    fs = alpine()
    result = sh(fs, "id; whoami; uname; cd /tmp; pwd")
    assert result.stdout == ("uid=0(root) gid=0(root) groups=0(root),1(bin),10(wheel)\n"
                             "root\nLinux\n/tmp\n")


def test_nginx_entrypoint_configures_and_keeps_running():
    fs = debian()
    result = run(["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"], fs,
                 env={**ENV, "NGINX_VERSION": "1.27.5"}, workdir="/", flavor="gnu")
    me = "/docker-entrypoint.sh"
    ipv6 = "10-listen-on-ipv6-by-default.sh: info:"
    conf = "/etc/nginx/conf.d/default.conf"
    assert result.stdout.splitlines() == [
        f"{me}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
        f"{me}: Looking for shell scripts in /docker-entrypoint.d/",
        f"{me}: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        f"{ipv6} Getting the checksum of {conf}",
        f"{ipv6} Enabled listen on IPv6 in {conf}",
        f"{me}: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
        f"{me}: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
        f"{me}: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
        f"{me}: Configuration complete; ready for start up",
    ]
    assert result.stderr.splitlines()[1] == "2026/01/15 09:00:00 [notice] 1#1: nginx/1.27.5"
    assert result.process.command == "nginx: master process nginx -g daemon off;"
    assert result.process.on_sigterm == "exit0"
    assert "listen  [::]:80;" in fs.read(conf)
    assert changes(fs) == [
        "C /etc", "C /etc/nginx", "C /etc/nginx/conf.d", "C /etc/nginx/conf.d/default.conf",
        "C /run", "A /run/nginx.pid", "C /var", "C /var/cache", "C /var/cache/nginx",
        "A /var/cache/nginx/client_temp", "A /var/cache/nginx/fastcgi_temp",
        "A /var/cache/nginx/proxy_temp", "A /var/cache/nginx/scgi_temp",
        "A /var/cache/nginx/uwsgi_temp"]


def test_python_print_and_http_server_buffering():
    fs = debian()
    fs.put("/usr/local/bin/python3", Entry.file(None, 0o755, size=10))
    printed = run(["python3", "-c", "print('hi', 2)"], fs, env=ENV, workdir="/", flavor="gnu")
    assert printed.stdout == "hi 2\n"
    server = run(["python3", "-m", "http.server"], fs, env=ENV, workdir="/", flavor="gnu")
    assert server.stdout == "" and server.process.command == "python3 -m http.server"
    unbuffered = run(["python3", "-m", "http.server"], fs, env={**ENV, "PYTHONUNBUFFERED": "1"},
                     workdir="/", flavor="gnu")
    assert unbuffered.stdout == "Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...\n"


def test_hello_prints_the_hello_world_text():
    from engine.registry.files import HELLO_WORLD_TEXT
    fs = UnionFS([Layer.from_changes({"/hello": Entry.file(None, 0o755, size=13_256)})], {})
    result = run(["/hello"], fs, env={"PATH": PATH}, workdir="/", flavor="busybox")
    assert (result.stdout, result.exit_code) == (HELLO_WORLD_TEXT, 0)


@pytest.mark.skipif(importlib.util.find_spec("engine.registry.packages") is None,
                    reason="engine/registry/packages.py (package catalog) is not written yet")
def test_apk_add_installs_files_and_curl_then_exists():
    fs = alpine()
    fs.put("/sbin/apk", Entry.file(None, 0o755, size=10))
    missing = sh(fs, "curl --version")
    assert missing.stderr == "/bin/sh: curl: not found\n"
    result = sh(fs, "apk add --no-cache curl")
    assert result.exit_code == 0 and "Installing curl" in result.stdout
    assert fs.exists("/usr/bin/curl")
