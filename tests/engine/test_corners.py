"""Smaller Docker 28.5 texts and rules, each with its source (docker/cli and moby at v28.5.2)."""
import pytest

from engine.events import SignalSent
from engine.sandbox import Sandbox


@pytest.fixture
def sb():
    s = Sandbox.create(8)
    s.run("docker pull alpine")
    return s


def test_dangling_filter_values(sb):
    # api/types/filters/parse.go GetBoolOrDefault + errors.go invalidFilter: the values as a Go []string
    r = sb.run("docker images -f dangling=maybe")
    assert (r.stderr, r.exit_code) == ("Error response from daemon: invalid filter 'dangling=[maybe]'\n", 1)
    r = sb.run("docker images -f dangling=true -f dangling=false")
    assert r.stderr == "Error response from daemon: invalid filter 'dangling=[false true]'\n"
    assert sb.run("docker images -q -f dangling=maybe -f dangling=1").exit_code == 0  # one truthy meaning


def test_invalid_container_name_with_a_slash(sb):
    # daemon/names.go: the pattern is checked on the name without its leading "/", and needs 2 chars
    r = sb.run("docker create --name /x alpine")
    assert r.stderr == ("Error response from daemon: Invalid container name (/x), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                        "are allowed\n")
    assert sb.run("docker create --name /xy alpine").exit_code == 0
    assert sb.daemon.find_container("xy").name == "xy"


def test_stop_with_sigkill_does_not_wait_or_kill_twice(sb):
    # daemon/stop.go:83-100: the stop signal is sent, the container exits, stop returns (no daemon.Kill)
    sb.run("docker run -d --name web alpine sleep 1000")
    c = sb.daemon.find_container("web")
    before = sb.daemon.now
    r = sb.run("docker stop -s KILL web")
    assert (r.stdout, r.exit_code, c.exit_code) == ("web\n", 0, 137)
    signals = [e.signal for e in r.events if isinstance(e, SignalSent)]
    assert signals == ["SIGKILL"]
    assert sb.daemon.now - before < 10 * 10**9  # no 10 s grace period


def test_kill_with_an_unknown_signal(sb):
    # moby/sys/signal ParseSignal before the lookup (daemon/kill.go), wrapped by the route
    # (api/server/router/container/container_routes.go:268)
    sb.run("docker run -d --name web alpine sleep 1000")
    r = sb.run("docker kill -s BOGUS web nosuch")
    assert (r.stdout, r.exit_code) == ("", 1)
    assert r.stderr == ("Error response from daemon: cannot kill container: web: invalid signal: BOGUS\n"
                        "Error response from daemon: cannot kill container: nosuch: invalid signal: BOGUS\n")
    r = sb.run("docker stop -s BOGUS web")  # daemon/stop.go: ContainerStop wraps containerStop's error
    assert r.stderr == "Error response from daemon: cannot stop container: web: invalid signal: BOGUS\n"
    assert sb.daemon.find_container("web").status == "running"


def test_run_rm_detached_is_removed_when_stopped(sb):
    # daemon/monitor.go handleContainerExit defers daemon.autoRemove
    sb.run("docker run -d --rm --name gone alpine sleep 1000")
    assert sb.run("docker stop gone").stdout == "gone\n"
    assert sb.run("docker ps -aq").stdout == ""
    sb.run("docker run -d --rm --name k alpine sleep 1000")
    sb.run("docker kill k")
    assert sb.run("docker ps -aq").stdout == ""


def test_ps_before_since_labels_exited(sb):
    # daemon/list.go includeContainerInList (before/since by creation order), MatchKVList (all labels),
    # foldFilter (exited=x: strconv.Atoi)
    sb.run("docker run --name a1 alpine true")
    sb.run("docker run -d --name a2 --label a=1 alpine sleep 100")
    sb.run("docker run -d --name a3 --label a=1 --label b=2 alpine sleep 100")
    names = lambda line: sb.run(line + " --format '{{.Names}}'").stdout.split()  # noqa: E731
    assert names("docker ps -a --filter before=a2") == ["a1"]
    assert names("docker ps -a --filter since=a2") == ["a3"]
    assert names("docker ps --filter since=a1") == ["a3", "a2"]
    assert names("docker ps --filter label=a=1 --filter label=b") == ["a3"]
    assert names("docker ps --filter label=a=1") == ["a3", "a2"]
    r = sb.run("docker ps --filter before=nosuch")
    assert (r.stderr, r.exit_code) == ("Error response from daemon: No such container: nosuch\n", 1)
    r = sb.run("docker ps --filter exited=x")
    assert r.stderr == ("Error response from daemon: invalid filter 'exited=x': strconv.Atoi: parsing \"x\": "
                        "invalid syntax\n")


def test_last_tag_time_prints_as_a_go_time(sb):
    # the CLI runs the template over the typed image.InspectResponse: Metadata.LastTagTime is a time.Time
    # (Time.String); JSON keeps RFC 3339. Never tagged: Go's zero time.
    r = sb.run("docker image inspect -f '{{.Metadata.LastTagTime}}|{{json .Metadata.LastTagTime}}' alpine")
    assert r.stdout == '0001-01-01 00:00:00 +0000 UTC|"0001-01-01T00:00:00Z"\n'
    sb.run("docker tag alpine mine")
    shown = sb.run("docker image inspect -f '{{.Metadata.LastTagTime}}' mine").stdout
    assert shown.endswith(" +0000 UTC\n") and shown[4] == "-" and shown[10] == " "


def test_run_env_user_variables_first(sb):
    # daemon/commit.go merge (lines 39-61): user's Env, then the image's not overridden;
    # the process gets PATH, HOSTNAME, then those (container.go CreateDaemonEnvironment), and
    # runc adds HOME from /etc/passwd
    sb.host_write("e/Dockerfile", b"FROM alpine\nENV E=img A=img\n")
    sb.run("docker build -q -t envimg e")
    sb.run("docker create --name envbox -e Z=1 -e A=mine envimg")
    env = sb.run("docker inspect -f '{{json .Config.Env}}' envbox").stdout
    assert env == ('["Z=1","A=mine","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",'
                   '"E=img"]\n')
    lines = sb.run("docker run --rm -e Z=1 envimg env").stdout.splitlines()
    assert [line.split("=")[0] for line in lines] == ["PATH", "HOSTNAME", "Z", "E", "A", "HOME"]
    assert lines[-1] == "HOME=/root"


def test_healthcheck_stored_and_shown(sb):
    # dispatchers.go dispatchHealthcheck stores it; State.String adds "(health: starting)"/"(healthy)"
    # (daemon/container/state.go); State.Health in inspect (api/types/container/state.go)
    sb.host_write("h/Dockerfile", b"FROM alpine\nHEALTHCHECK --interval=5s --retries=2 CMD test -f /ok\n")
    assert sb.run("DOCKER_BUILDKIT=0 docker build -q -t hc h").exit_code == 0
    assert sb.run("docker image inspect -f '{{json .Config.Healthcheck}}' hc").stdout == \
        '{"Interval":5000000000,"Retries":2,"Test":["CMD-SHELL","test -f /ok"]}\n'
    history = sb.run("docker history --no-trunc --format '{{.CreatedBy}}' hc").stdout.splitlines()[0]
    assert history == '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "test -f /ok"] "5s" "0s" "0s" "0s" \'\\x02\'}'
    sb.run("docker run -d --name hw hc sleep 1000")
    c = sb.daemon.find_container("hw")
    sb.daemon.clock.now_ns = c.started_at + 2 * 10**9
    assert sb.run("docker ps --format '{{.Status}}'").stdout.endswith("(health: starting)\n")
    sb.daemon.clock.now_ns = c.started_at + 30 * 10**9
    assert sb.run("docker ps --format '{{.Status}}'").stdout.endswith("(unhealthy)\n")
    sb.run("docker exec hw touch /ok")
    assert sb.run("docker ps --format '{{.Status}}'").stdout.endswith("(healthy)\n")
    assert sb.run("docker inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hw").stdout == \
        "healthy 0\n"


def test_pull_by_digest(sb):
    # moby distribution/pull_v2.go pullTag: "<digest>: Pulling from library/alpine"; the image gets
    # a RepoDigest and no tag
    digest = sb.daemon.image_or_none("alpine").repo_digests[0].split("@")[1]
    sb.run("docker rmi alpine")
    r = sb.run(f"docker pull alpine@{digest}")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == f"{digest}: Pulling from library/alpine"
    assert r.stdout.splitlines()[-2:] == [f"Status: Downloaded newer image for alpine@{digest}",
                                          f"docker.io/library/alpine@{digest}"]
    # a digest-only row fills Digest with --digests alone (formatter/image.go, the last loop)
    assert sb.run("docker images --format '{{.Repository}} {{.Tag}} {{.Digest}}'").stdout == "alpine <none> \n"
    assert sb.run("docker images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}'").stdout == \
        f"alpine <none> {digest}\n"
    bad = "sha256:" + "0" * 64
    r = sb.run(f"docker pull alpine@{bad}")
    assert r.stderr == f"Error response from daemon: manifest for alpine@{bad} not found: manifest unknown: manifest unknown\n"


def test_top_with_ps_options(sb):
    # daemon/top_unix.go: `ps <args>` (default -ef), the PID column required (parsePSOutput)
    sb.run("docker run -d --name web alpine sleep 1000")
    pid = str(sb.daemon.find_container("web").pid)
    r = sb.run("docker top web -o pid,comm")
    assert r.stdout.split() == ["PID", "COMMAND", pid, "sleep"]
    r = sb.run("docker top web aux")
    assert r.stdout.split()[:11] == ["USER", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME",
                                     "COMMAND"]
    r = sb.run("docker top web -o comm")
    assert (r.stderr, r.exit_code) == ("Error response from daemon: Couldn't find PID field in ps output\n", 1)
    assert sb.run("docker top web").stdout.split()[:8] == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]


def test_container_prune_lists_newest_first(sb):
    # daemon/prune.go ContainersPrune walks daemon.List(): newest first
    sb.run("docker create --name old alpine")
    sb.run("docker create --name new alpine")
    ids = [sb.daemon.find_container(n).id for n in ("new", "old")]
    r = sb.run("docker container prune -f")
    assert r.stdout.startswith("Deleted Containers:\n" + "\n".join(ids) + "\n\n")


def test_system_prune(sb):
    # docker/cli cli/command/system/prune.go: the confirmation, then each prune's report and the total
    sb.run("docker create --name gone alpine")
    r = sb.run("docker system prune")
    assert r.stdout == ("WARNING! This will remove:\n  - all stopped containers\n"
                        "  - all networks not used by at least one container\n  - all dangling images\n"
                        "  - unused build cache\n\nAre you sure you want to continue? [y/N] ")
    assert r.exit_code == 1 and sb.daemon.containers
    cid = sb.daemon.find_container("gone").id
    r = sb.run("docker system prune -f")
    assert r.stdout == f"Deleted Containers:\n{cid}\n\nTotal reclaimed space: 0B\n"
    r = sb.run("docker system prune -af")
    assert r.stdout.startswith("Deleted Images:\nuntagged: alpine:latest\n")
    assert r.stdout.endswith("\nTotal reclaimed space: 8.31MB\n")
    assert not sb.daemon.images


def test_working_directory_must_be_absolute(sb):
    # moby daemon/container.go:367 translateWorkingDir; run wraps it with its help hint (run.go)
    r = sb.run("docker run --rm -w rel alpine pwd")
    assert (r.stderr, r.exit_code) == ("docker: Error response from daemon: the working directory 'rel' is invalid, "
                                       "it needs to be an absolute path\n\nRun 'docker run --help' for more "
                                       "information\n", 125)
    assert sb.run("docker run --rm -w /a/../b alpine pwd").stdout == "/b\n"  # filepath.Clean


def test_entrypoint_reset_drops_the_image_cmd(sb):
    # daemon/commit.go merge: a user Entrypoint (even [""]) keeps the image's Cmd out
    sb.run("docker pull nginx")
    assert sb.run("docker run --rm --entrypoint '' nginx echo hi").stdout == "hi\n"
    r = sb.run("docker run --rm --entrypoint '' nginx")
    assert r.stderr.startswith("docker: Error response from daemon: no command specified\n")


def test_port_lists_the_published_ports(sb):
    # docker/cli cli/command/container/port.go runPort; no host address binds IPv4 and IPv6
    sb.run("docker run -d --name web -p 8080:80 -p 127.0.0.1:9000:90 alpine sleep 1000")
    assert sb.run("docker port web").stdout == "80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n90/tcp -> 127.0.0.1:9000\n"
    assert sb.run("docker port web 80").stdout == "0.0.0.0:8080\n[::]:8080\n"
    r = sb.run("docker port web 81")
    assert (r.stderr, r.exit_code) == ("Error: No public port '81' published for web\n", 1)
    r = sb.run("docker port web x")
    assert r.stderr == 'Error: invalid port (x): strconv.ParseUint: parsing "x": invalid syntax\n'
    sb.run("docker stop web")
    assert (sb.run("docker port web").stdout, sb.run("docker port web").exit_code) == ("", 0)


def test_update_stores_limits_and_the_restart_policy(sb):
    # docker/cli cli/command/container/update.go runUpdate; moby daemon/update.go
    sb.run("docker run -d --name web alpine sleep 1000")
    r = sb.run("docker update web")
    assert (r.stderr, r.exit_code) == ("you must provide one or more flags when using this command\n", 1)
    r = sb.run("docker update -m 512m --cpus 1.5 --restart on-failure:3 web nosuch")
    assert (r.stdout, r.stderr, r.exit_code) == ("web\n", "Error response from daemon: No such container: nosuch\n", 1)
    shown = sb.run("docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} "
                   "{{json .HostConfig.RestartPolicy}}' web").stdout
    assert shown == '536870912 1500000000 {"Name":"on-failure","MaximumRetryCount":3}\n'
    r = sb.run("docker update -m 1m web")
    assert r.stderr == "Error response from daemon: Minimum memory limit allowed is 6MB\n"
    r = sb.run("docker update --restart bogus web")
    assert r.stderr == ("Error response from daemon: invalid restart policy: unknown policy 'bogus'; use one of "
                        "'no', 'always', 'on-failure', or 'unless-stopped'\n")


def test_ancestor_filter_follows_parent_links_only(sb):
    # daemon/list.go:328-342: the image and its descendants (imageService.Children: Parent links)
    sb.run("docker pull nginx")  # shares debian's base layer, but is no child of a local debian
    sb.run("docker pull debian")
    sb.host_write("d/Dockerfile", b"FROM alpine\nRUN touch /x\n")
    sb.run("DOCKER_BUILDKIT=0 docker build -q -t child d")  # the legacy builder records Parent
    for line in ("docker run -d --name n1 nginx", "docker run -d --name c1 child sleep 1000",
                 "docker run -d --name a1 alpine sleep 1000"):
        sb.run(line)
    names = lambda f: sb.run(f"docker ps --filter ancestor={f} --format '{{{{.Names}}}}'").stdout.split()  # noqa: E731
    assert names("alpine") == ["a1", "c1"]
    assert names("debian") == []
    assert names("nosuch") == []


def test_ps_health_filter(sb):
    # daemon/list.go:299-307 and :497; api/types/container/health.go ValidateHealthStatus
    sb.host_write("h/Dockerfile", b"FROM alpine\nHEALTHCHECK --interval=5s CMD true\n")
    sb.run("docker build -q -t hc h")
    sb.run("docker run -d --name sick hc sleep 1000")
    sb.run("docker run -d --name plain alpine sleep 1000")
    sb.daemon.clock.now_ns += 10 * 10**9
    names = lambda v: sb.run(f"docker ps --filter health={v} --format '{{{{.Names}}}}'").stdout.split()  # noqa: E731
    assert names("healthy") == ["sick"] and names("none") == ["plain"] and names("starting") == []
    r = sb.run("docker ps --filter health=bogus")
    assert r.stderr == ("Error response from daemon: invalid filter 'health=bogus': invalid value for health "
                        "(bogus): must be one of none, starting, healthy, unhealthy\n")
