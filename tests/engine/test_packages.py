"""Package installs: transcripts as apk-tools 2.14, apt 2.6 and pip 25.0.1 print them without a TTY."""
from engine.registry import packages
from engine.registry.packages import apk_add, apt_get_install, apt_get_update, pip_install

BASE_APK_DB = packages.alpine_installed_db()
BOOKWORM = packages.dpkg_status("bookworm")

APK_CURL = """fetch https://dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/APKINDEX.tar.gz
fetch https://dl-cdn.alpinelinux.org/alpine/v3.22/community/x86_64/APKINDEX.tar.gz
(1/9) Installing brotli-libs (1.1.0-r2)
(2/9) Installing c-ares (1.34.5-r0)
(3/9) Installing libunistring (1.3-r0)
(4/9) Installing libidn2 (2.3.7-r0)
(5/9) Installing libpsl (0.21.5-r3)
(6/9) Installing nghttp2-libs (1.65.0-r0)
(7/9) Installing zstd-libs (1.5.7-r0)
(8/9) Installing libcurl (8.14.1-r2)
(9/9) Installing curl (8.14.1-r2)
Executing busybox-1.37.0-r19.trigger
OK: 12 MiB in 24 packages
"""


def _added_bytes(files):
    return sum(e.size for e in files.values() if e.kind == "file" and not e.content)


def test_apk_add_curl_transcript_files_and_db():
    result = apk_add(["curl"], BASE_APK_DB, no_cache=True)
    assert (result.stdout, result.stderr, result.exit_code) == (APK_CURL, "", 0)
    assert result.files["/usr/bin/curl"].mode == 0o755
    assert result.files["/usr/lib"].kind == "dir"
    assert 4_500_000 < _added_bytes(result.files) < 5_500_000  # curl + deps add ~5 MB on alpine
    db = result.files["/lib/apk/db/installed"].content
    assert db.startswith(BASE_APK_DB) and "P:curl\nV:8.14.1-r2\n" in db
    assert not any(p.startswith("/var/cache/apk") for p in result.files)


def test_apk_add_without_no_cache_leaves_the_index_cache_behind():
    files = apk_add(["curl"], BASE_APK_DB, no_cache=False).files
    assert len([p for p in files if p.startswith("/var/cache/apk/APKINDEX.")]) == 2


def test_apk_add_already_installed_prints_only_ok():
    db = apk_add(["curl"], BASE_APK_DB, no_cache=True).files["/lib/apk/db/installed"].content
    again = apk_add(["curl"], db, no_cache=True)
    assert again.stdout.splitlines()[2:] == ["OK: 12 MiB in 24 packages"]
    assert again.files == {}


def test_apk_add_runs_install_scripts_and_ca_trigger():
    out = apk_add(["bash", "ca-certificates"], BASE_APK_DB, no_cache=True).stdout
    assert "(4/5) Installing bash (5.2.37-r0)\nExecuting bash-5.2.37-r0.post-install\n" in out
    assert "Executing busybox-1.37.0-r19.trigger\nExecuting ca-certificates-20250911-r0.trigger\n" in out


def test_apk_add_unknown_package():
    result = apk_add(["xyz"], BASE_APK_DB, no_cache=True)
    assert result.exit_code == 1 and result.files == {}
    assert result.stderr == ("ERROR: unable to select packages:\n  xyz (no such package):\n"
                             "    required by: world[xyz]\n")


def test_apt_install_without_update_cannot_locate_the_package():
    result = apt_get_install(["curl"], BOOKWORM, lists_present=False, assume_yes=True)
    assert result.stdout == "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
    assert (result.stderr, result.exit_code, result.files) == ("E: Unable to locate package curl\n", 100, {})


def test_apt_update_fills_the_lists():
    result = apt_get_update()
    assert result.stdout.splitlines()[0] == "Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]"
    assert result.stdout.endswith("Fetched 9339 kB in 1s (7471 kB/s)\nReading package lists...\n")
    assert "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4" in result.files
    noble = apt_get_update(dpkg_status=packages.dpkg_status("noble"))
    assert "Get:1 http://archive.ubuntu.com/ubuntu noble InRelease [256 kB]" in noble.stdout


def test_apt_install_curl_with_yes():
    result = apt_get_install(["curl"], BOOKWORM, lists_present=True, assume_yes=True)
    lines = result.stdout.splitlines()
    assert lines[3:5] == ["The following additional packages will be installed:",
                          "  ca-certificates krb5-locales libbrotli1 libcurl4 libgssapi-krb5-2"]
    assert "0 upgraded, 20 newly installed, 0 to remove and 0 not upgraded." in lines
    assert "Get:20 http://deb.debian.org/debian bookworm/main amd64 curl amd64 7.88.1-10+deb12u14 [316 kB]" in lines
    assert "Preparing to unpack .../19-curl_7.88.1-10+deb12u14_amd64.deb ..." in lines
    assert "Setting up curl (7.88.1-10+deb12u14) ..." in lines
    assert lines[-1] == "done."
    assert result.stderr == "debconf: delaying package configuration, since apt-utils is not installed\n"
    assert result.exit_code == 0 and result.files["/usr/bin/curl"].mode == 0o755
    status = result.files["/var/lib/dpkg/status"].content
    assert status.startswith(BOOKWORM) and "Package: curl\nStatus: install ok installed\n" in status


def test_apt_without_yes_aborts_when_it_would_add_packages():
    result = apt_get_install(["curl"], BOOKWORM, lists_present=True, assume_yes=False)
    assert result.stdout.endswith("of additional disk space will be used.\nDo you want to continue? [Y/n] Abort.\n")
    assert (result.exit_code, result.files) == (1, {})
    # no extra packages: apt does not ask
    assert apt_get_install(["less"], BOOKWORM, lists_present=True, assume_yes=False).exit_code == 0


def test_apt_already_installed_and_unknown():
    status = apt_get_install(["curl"], BOOKWORM, lists_present=True, assume_yes=True).files["/var/lib/dpkg/status"].content
    again = apt_get_install(["curl"], status, lists_present=True, assume_yes=True)
    assert "curl is already the newest version (7.88.1-10+deb12u14).\n" \
           "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n" in again.stdout
    unknown = apt_get_install(["xyz"], BOOKWORM, lists_present=True, assume_yes=True)
    assert (unknown.stderr, unknown.exit_code) == ("E: Unable to locate package xyz\n", 100)


def test_apt_on_ubuntu_uses_noble_names_and_versions():
    result = apt_get_install(["curl"], packages.dpkg_status("noble"), lists_present=True, assume_yes=True)
    assert "Setting up curl (8.5.0-2ubuntu10.6) ..." in result.stdout and "libcurl4t64" in result.stdout


def test_every_catalog_package_installs():
    for name in ("curl", "bash", "git", "vim", "nginx", "python3", "py3-pip", "ca-certificates", "tzdata", "htop"):
        assert apk_add([name], BASE_APK_DB, no_cache=True).exit_code == 0, name
    for name in ("curl", "vim", "git", "nginx", "python3", "procps", "iputils-ping", "ca-certificates", "wget", "less"):
        assert apt_get_install([name], BOOKWORM, lists_present=True, assume_yes=True).exit_code == 0, name


FLASK_TAIL = """Installing collected packages: markupsafe, werkzeug, jinja2, itsdangerous, click, blinker, flask
Successfully installed blinker-1.9.0 click-8.3.0 flask-3.1.2 itsdangerous-2.2.0 jinja2-3.1.6 markupsafe-3.0.3 werkzeug-3.1.3
"""


def test_pip_install_flask():
    result = pip_install(["flask"], True)
    assert result.stdout.startswith("Collecting flask\n  Downloading flask-3.1.2-py3-none-any.whl.metadata (3.2 kB)\n"
                                    "Collecting blinker>=1.9.0 (from flask)\n")
    assert result.stdout.endswith(FLASK_TAIL)
    assert result.stderr.startswith("WARNING: Running pip as the 'root' user can result in broken permissions")
    site = "/usr/local/lib/python3.12/site-packages"
    assert result.files[f"{site}/flask-3.1.2.dist-info/INSTALLER"].content == "pip\n"
    assert result.files["/usr/local/bin/flask"].mode == 0o755
    assert any(p.startswith("/root/.cache/pip/") for p in result.files)
    assert not any(p.startswith("/root/.cache") for p in pip_install(["flask"], True, no_cache_dir=True).files)


def test_pip_sees_installed_distributions_in_site_packages():
    result = pip_install(["requests"], ["README.txt", "pip", "requests-2.32.5.dist-info"])
    assert result.stdout == "Requirement already satisfied: requests in " \
                            "/usr/local/lib/python3.12/site-packages (2.32.5)\n"
    assert result.files == {}


def test_pip_unknown_package():
    result = pip_install(["nosuchpkg"], True)
    assert result.exit_code == 1 and result.files == {}
    assert result.stderr.startswith(
        "ERROR: Could not find a version that satisfies the requirement nosuchpkg (from versions: none)\n"
        "ERROR: No matching distribution found for nosuchpkg\n")


def test_apt_size_format():
    assert [packages.apt_size(n) for n in (6924, 63_400, 153_000, 3_546_000, 12_300_000)] == \
           ["6924 B", "63.4 kB", "153 kB", "3546 kB", "12.3 MB"]
