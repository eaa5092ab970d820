"""Bulky data kept apart from the code: the text files of the registry images (real upstream contents,
some shortened) and the package catalogs of apk, apt and pip (real names, versions and sizes)."""

HELLO_WORLD_TEXT = """
Hello from Docker!
This message shows that your installation appears to be working correctly.

To generate this message, Docker took the following steps:
 1. The Docker client contacted the Docker daemon.
 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.
    (amd64)
 3. The Docker daemon created a new container from that image which runs the
    executable that produces the output you are currently reading.
 4. The Docker daemon streamed that output to the Docker client, which sent it
    to your terminal.

To try something more ambitious, you can run an Ubuntu container with:
 $ docker run -it ubuntu bash

Share images, automate workflows, and more with a free Docker ID:
 https://hub.docker.com/

For more examples and ideas, visit:
 https://docs.docker.com/get-started/

"""

ALPINE_OS_RELEASE = """NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.22.2
PRETTY_NAME="Alpine Linux v3.22"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
"""

DEBIAN_OS_RELEASE = """PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""

UBUNTU_OS_RELEASE = """PRETTY_NAME="Ubuntu 24.04.3 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.3 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
"""

ALPINE_REPOSITORIES = """https://dl-cdn.alpinelinux.org/alpine/v3.22/main
https://dl-cdn.alpinelinux.org/alpine/v3.22/community
"""

# Alpine's /etc/motd (alpine-baselayout), the classic file learners delete to see a whiteout.
ALPINE_MOTD = """Welcome to Alpine!

The Alpine Wiki contains a large amount of how-to guides and general
information about administrating Alpine systems.
See <https://wiki.alpinelinux.org/>.

You can setup the system with the command: setup-alpine

You may change this message by editing /etc/motd.

"""

ALPINE_PASSWD = """root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
"""

ALPINE_GROUP = """root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
"""

BUSYBOX_PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
"""

BUSYBOX_GROUP = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
"""

DEBIAN_PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""

DEBIAN_GROUP = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
fax:x:21:
voice:x:22:
cdrom:x:24:
floppy:x:25:
tape:x:26:
sudo:x:27:
audio:x:29:
dip:x:30:
www-data:x:33:
backup:x:34:
operator:x:37:
list:x:38:
irc:x:39:
src:x:40:
shadow:x:42:
utmp:x:43:
video:x:44:
sasl:x:45:
plugdev:x:46:
staff:x:50:
games:x:60:
users:x:100:
nogroup:x:65534:
"""

# Ubuntu 24.04 images ship an 'ubuntu' user (uid 1000) since noble.
UBUNTU_PASSWD = DEBIAN_PASSWD + "ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n"
UBUNTU_GROUP = DEBIAN_GROUP + "ubuntu:x:1000:\n"

# The nginx image's RUN step adds the nginx system user and group (useradd/groupadd --system, uid/gid 101).
NGINX_PASSWD = DEBIAN_PASSWD + "nginx:x:101:101:nginx user:/nonexistent:/bin/false\n"
NGINX_GROUP = DEBIAN_GROUP + "nginx:x:101:\n"

BASH_RC_NOTE = "# ~/.bashrc: executed by bash(1) for non-login shells.\n"

NGINX_CONF = """
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
"""

# Shortened: the commented-out PHP/FastCGI examples at the end of the real file are left out.
NGINX_DEFAULT_CONF = """server {
    listen       80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
"""

NGINX_INDEX_HTML = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

NGINX_50X_HTML = """<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"""

NGINX_ENTRYPOINT = """#!/bin/sh
# vim:sw=4:ts=4:et

set -e

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    if /usr/bin/find "/docker-entrypoint.d/" -mindepth 1 -maxdepth 1 -type f -print -quit 2>/dev/null | read v; then
        entrypoint_log "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"

        entrypoint_log "$0: Looking for shell scripts in /docker-entrypoint.d/"
        find "/docker-entrypoint.d/" -follow -type f -print | sort -V | while read -r f; do
            case "$f" in
                *.envsh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Sourcing $f";
                        . "$f"
                    else
                        # warn on shell scripts without exec bit
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *.sh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Launching $f";
                        "$f"
                    else
                        # warn on shell scripts without exec bit
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *) entrypoint_log "$0: Ignoring $f";;
            esac
        done

        entrypoint_log "$0: Configuration complete; ready for start up"
    else
        entrypoint_log "$0: No files found in /docker-entrypoint.d/, skipping configuration"
    fi
fi

exec "$@"
"""

# The console-script wrapper pip writes for itself (and for every entry point it installs).
def console_script(module: str, func: str = "main") -> str:
    return ("#!/usr/local/bin/python3.12\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
            f"from {module} import {func}\n"
            "if __name__ == '__main__':\n"
            "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
            f"    sys.exit({func}())\n")


DEBIAN_SOURCES = """Types: deb
# http://snapshot.debian.org/archive/debian/20251117T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20251117T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

UBUNTU_SOURCES = """Types: deb
URIs: http://archive.ubuntu.com/ubuntu/
Suites: noble noble-updates noble-backports
Components: main universe restricted multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg

Types: deb
URIs: http://security.ubuntu.com/ubuntu/
Suites: noble-security
Components: main universe restricted multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
"""

# Docker's debian/ubuntu images drop downloaded .debs after each install (debuerreotype's docker-clean).
APT_DOCKER_CLEAN = """DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };

Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
"""


# ------------------------------------------------------------------ package catalogs (engine.packages)
# Alpine 3.22 (apk). Rows: name version installed-bytes script deps… | files…   ('-' = no install script)
APK_CATALOG = """
musl 1.2.5-r10 662528 - | /lib/ld-musl-x86_64.so.1 /lib/libc.musl-x86_64.so.1->ld-musl-x86_64.so.1
busybox 1.37.0-r19 817152 post-install | /bin/busybox
busybox-binsh 1.37.0-r19 12 - | /bin/sh->/bin/busybox
alpine-baselayout 3.7.0-r0 8192 - | /etc/profile
alpine-baselayout-data 3.7.0-r0 18432 - | /etc/passwd
alpine-keys 2.5-r0 13312 - | /usr/share/apk/keys/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub
alpine-release 3.22.2-r0 8192 - | /etc/alpine-release
ca-certificates-bundle 20250911-r0 222208 - | /etc/ssl/certs/ca-certificates.crt
libcrypto3 3.5.4-r0 4734976 - | /usr/lib/libcrypto.so.3
libssl3 3.5.4-r0 782336 - | /usr/lib/libssl.so.3
zlib 1.3.1-r2 102400 - | /lib/libz.so.1.3.1
apk-tools 2.14.9-r3 262144 - | /sbin/apk
scanelf 1.3.8-r1 73728 - | /usr/bin/scanelf
musl-utils 1.2.5-r10 94208 - | /usr/bin/getent /usr/bin/ldd
ssl_client 1.37.0-r19 18432 - | /usr/bin/ssl_client
brotli-libs 1.1.0-r2 739328 - | /usr/lib/libbrotlicommon.so.1.1.0 /usr/lib/libbrotlidec.so.1.1.0 /usr/lib/libbrotlienc.so.1.1.0
c-ares 1.34.5-r0 227328 - | /usr/lib/libcares.so.2.19.4
libunistring 1.3-r0 1863680 - | /usr/lib/libunistring.so.5.2.0
libidn2 2.3.7-r0 155648 - libunistring | /usr/lib/libidn2.so.0.4.0
nghttp2-libs 1.65.0-r0 172032 - | /usr/lib/libnghttp2.so.14.28.4
libpsl 0.21.5-r3 77824 - libidn2 | /usr/lib/libpsl.so.5.3.5
zstd-libs 1.5.7-r0 815104 - | /usr/lib/libzstd.so.1.5.7
libcurl 8.14.1-r2 663552 - brotli-libs c-ares libidn2 libpsl nghttp2-libs zstd-libs | /usr/lib/libcurl.so.4.8.0 /usr/lib/libcurl.so.4->libcurl.so.4.8.0
curl 8.14.1-r2 249856 - libcurl | /usr/bin/curl
ca-certificates 20250911-r0 675840 trigger | /usr/sbin/update-ca-certificates /usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt /etc/ca-certificates.conf
tzdata 2025b-r0 1470464 - | /usr/share/zoneinfo/UTC /usr/share/zoneinfo/Europe/Berlin /usr/share/zoneinfo/Asia/Shanghai /usr/share/zoneinfo/America/New_York
ncurses-terminfo-base 6.5_p20250503-r0 45056 - | /etc/terminfo/x/xterm /etc/terminfo/v/vt100
libncursesw 6.5_p20250503-r0 348160 - ncurses-terminfo-base | /usr/lib/libncursesw.so.6.5 /usr/lib/libncursesw.so.6->libncursesw.so.6.5
libpanelw 6.5_p20250503-r0 20480 - libncursesw | /usr/lib/libpanelw.so.6.5
readline 8.2.13-r1 299008 - libncursesw | /usr/lib/libreadline.so.8.2
bash 5.2.37-r0 1232896 post-install readline | /bin/bash /etc/bash/bashrc
htop 3.4.1-r0 233472 - libncursesw | /usr/bin/htop /usr/share/applications/htop.desktop
libexpat 2.7.3-r0 204800 - | /usr/lib/libexpat.so.1.10.2
pcre2 10.46-r0 667648 - | /usr/lib/libpcre2-8.so.0.14.0
git 2.49.1-r0 14712832 - libcurl libexpat pcre2 zlib | /usr/bin/git /usr/libexec/git-core/git-remote-http /usr/libexec/git-core/git-sh-setup /usr/share/git-core/templates/description
xxd 9.1.1415-r0 20480 - | /usr/bin/xxd
vim-common 9.1.1415-r0 4485120 - | /usr/share/vim/vim91/defaults.vim /usr/share/vim/vim91/syntax/syntax.vim
libsodium 1.0.20-r1 372736 - | /usr/lib/libsodium.so.26.2.0
vim 9.1.1415-r0 3764224 - vim-common xxd libncursesw libsodium | /usr/bin/vim /usr/bin/vimdiff->vim
nginx 1.28.0-r3 1363968 pre-install pcre2 | /usr/sbin/nginx /etc/nginx/nginx.conf /etc/nginx/http.d/default.conf /var/lib/nginx/html/index.html
libbz2 1.0.8-r6 77824 - | /usr/lib/libbz2.so.1.0.8
libffi 3.4.8-r0 45056 - | /usr/lib/libffi.so.8.1.4
gdbm 1.24-r0 237568 - | /usr/lib/libgdbm.so.6.0.0
xz-libs 5.8.1-r0 208896 - | /usr/lib/liblzma.so.5.8.1
mpdecimal 4.0.1-r0 311296 - | /usr/lib/libmpdec.so.4.0.1
sqlite-libs 3.49.2-r1 1548288 - | /usr/lib/libsqlite3.so.0.8.6
python3 3.12.12-r0 27127808 - libbz2 libffi gdbm xz-libs mpdecimal libpanelw readline sqlite-libs | /usr/bin/python3.12 /usr/bin/python3->python3.12 /usr/lib/libpython3.12.so.1.0 /usr/lib/python3.12/os.py /usr/lib/python3.12/site.py
python3-pycache-pyc0 3.12.12-r0 15093760 - python3 | /usr/lib/python3.12/__pycache__/os.cpython-312.pyc /usr/lib/python3.12/__pycache__/site.cpython-312.pyc
pyc 3.12.12-r0 0 - python3-pycache-pyc0 |
python3-pyc 3.12.12-r0 0 - pyc |
py3-pip 25.1.1-r0 9302016 - python3 python3-pyc | /usr/bin/pip /usr/bin/pip3 /usr/lib/python3.12/site-packages/pip/__init__.py /usr/lib/python3.12/site-packages/pip/_internal/cli/main.py
"""

# Debian 12 bookworm / Ubuntu 24.04 noble (apt).
# Rows: name bookworm-version noble-version arch download-bytes installed-KiB deps… | files…
APT_CATALOG = """base-files 12.4+deb12u12 13ubuntu10.3 amd64 70000 340 | /etc/debian_version
bash 5.2.15-2+b9 5.2.21-2ubuntu4 amd64 1491000 7162 | /bin/bash
coreutils 9.1-1 9.4-3ubuntu6.1 amd64 2897000 18062 | /bin/ls /bin/cat
dash 0.5.12-2 0.5.12-6ubuntu5 amd64 94000 199 | /bin/dash
libc6 2.36-9+deb12u13 2.39-0ubuntu8.6 amd64 2758000 12986 | /usr/lib/x86_64-linux-gnu/libc.so.6
libc-bin 2.36-9+deb12u13 2.39-0ubuntu8.6 amd64 608000 2321 | /sbin/ldconfig
libssl3 3.0.17-1~deb12u3 3.0.13-0ubuntu3.6 amd64 2026000 6214 | /usr/lib/x86_64-linux-gnu/libssl.so.3
apt 2.6.1 2.8.3 amd64 1409000 4338 | /usr/bin/apt-get
dpkg 1.21.22 1.22.6ubuntu6.5 amd64 1554000 6371 | /usr/bin/dpkg
openssl 3.0.17-1~deb12u3 3.0.13-0ubuntu3.6 amd64 1430000 2303 | /usr/bin/openssl /etc/ssl/openssl.cnf
ca-certificates 20230311+deb12u1 20240203 all 153000 390 openssl | /usr/sbin/update-ca-certificates /etc/ssl/certs/ca-certificates.crt /usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt
krb5-locales 1.20.1-2+deb12u4 1.20.1-6ubuntu2.6 all 63400 317 | /usr/share/locale/de/LC_MESSAGES/mit-krb5.mo
libkeyutils1 1.6.3-2 1.6.3-3build1 amd64 8800 43 | /usr/lib/x86_64-linux-gnu/libkeyutils.so.1.10
libkrb5support0 1.20.1-2+deb12u4 1.20.1-6ubuntu2.6 amd64 33000 114 | /usr/lib/x86_64-linux-gnu/libkrb5support.so.0.1
libk5crypto3 1.20.1-2+deb12u4 1.20.1-6ubuntu2.6 amd64 79700 283 libkrb5support0 | /usr/lib/x86_64-linux-gnu/libk5crypto.so.3.1
libkrb5-3 1.20.1-2+deb12u4 1.20.1-6ubuntu2.6 amd64 332000 1185 libk5crypto3 libkeyutils1 krb5-locales | /usr/lib/x86_64-linux-gnu/libkrb5.so.3.3
libgssapi-krb5-2 1.20.1-2+deb12u4 1.20.1-6ubuntu2.6 amd64 135000 444 libkrb5-3 | /usr/lib/x86_64-linux-gnu/libgssapi_krb5.so.2.2
libbrotli1 1.0.9-2+b6 1.1.0-2build2 amd64 269000 773 | /usr/lib/x86_64-linux-gnu/libbrotlidec.so.1.0.9 /usr/lib/x86_64-linux-gnu/libbrotlicommon.so.1.0.9
libsasl2-modules-db 2.1.28+dfsg-10 2.1.28+dfsg1-5ubuntu3.1 amd64 20800 86 | /usr/lib/x86_64-linux-gnu/sasl2/libsasldb.so.2.0.25
libsasl2-2 2.1.28+dfsg-10 2.1.28+dfsg1-5ubuntu3.1 amd64 58000 187 libsasl2-modules-db | /usr/lib/x86_64-linux-gnu/libsasl2.so.2.0.25
libldap-common 2.5.13+dfsg-5 2.6.7+dfsg-1~exp1ubuntu8.2 all 29300 154 | /etc/ldap/ldap.conf
libldap-2.5-0 2.5.13+dfsg-5 2.6.7+dfsg-1~exp1ubuntu8.2 amd64 183000 571 libsasl2-2 libldap-common | /usr/lib/x86_64-linux-gnu/libldap-2.5.so.0.1.11
libnghttp2-14 1.52.0-1+deb12u2 1.59.0-1ubuntu0.2 amd64 72600 227 | /usr/lib/x86_64-linux-gnu/libnghttp2.so.14.24.1
publicsuffix 20230209.2326-1 20231001.0357-0.1 all 126000 339 | /usr/share/publicsuffix/public_suffix_list.dat
libpsl5 0.21.2-1 0.21.2-1.1build1 amd64 58700 93 publicsuffix | /usr/lib/x86_64-linux-gnu/libpsl.so.5.3.4
librtmp1 2.4+20151223.gitfa8646d.1-2+b2 2.4+20151223.gitfa8646d.1-2build7 amd64 60800 139 | /usr/lib/x86_64-linux-gnu/librtmp.so.1
libssh2-1 1.10.0-3+b1 1.11.0-4.1build2 amd64 179000 463 | /usr/lib/x86_64-linux-gnu/libssh2.so.1.0.1
libcurl4 7.88.1-10+deb12u14 8.5.0-2ubuntu10.6 amd64 391000 1002 libbrotli1 libgssapi-krb5-2 libldap-2.5-0 libnghttp2-14 libpsl5 librtmp1 libssh2-1 | /usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0 /usr/lib/x86_64-linux-gnu/libcurl.so.4->libcurl.so.4.8.0
curl 7.88.1-10+deb12u14 8.5.0-2ubuntu10.6 amd64 316000 500 libcurl4 ca-certificates | /usr/bin/curl
wget 1.21.3-1+deb12u1 1.21.4-1ubuntu4.1 amd64 937000 3817 libpsl5 ca-certificates | /usr/bin/wget /etc/wgetrc
less 590-2.1~deb12u2 590-2ubuntu2.1 amd64 132000 377 | /usr/bin/less /usr/bin/lesspipe
libncursesw6 6.4-4 6.4+20240113-1ubuntu2 amd64 134000 412 | /usr/lib/x86_64-linux-gnu/libncursesw.so.6.4
libproc2-0 2:4.0.2-3 2:4.0.4-4ubuntu3.2 amd64 62100 208 | /usr/lib/x86_64-linux-gnu/libproc2.so.0.0.1
psmisc 23.6-1 23.7-1build1 amd64 259000 874 | /usr/bin/killall /usr/bin/pstree
procps 2:4.0.2-3 2:4.0.4-4ubuntu3.2 amd64 709000 2199 libproc2-0 libncursesw6 psmisc | /usr/bin/ps /usr/bin/top /usr/bin/free /usr/bin/pgrep
libcap2-bin 1:2.66-4+deb12u2 1:2.66-5ubuntu2.2 amd64 34700 133 | /usr/sbin/setcap /usr/sbin/getcap
iputils-ping 3:20221126-1+deb12u1 3:20240117-1ubuntu0.1 amd64 47100 118 libcap2-bin | /usr/bin/ping
xxd 2:9.0.1378-2+deb12u2 2:9.1.0016-1ubuntu7.9 amd64 84500 334 | /usr/bin/xxd
vim-common 2:9.0.1378-2+deb12u2 2:9.1.0016-1ubuntu7.9 all 125000 366 xxd | /usr/share/vim/vimrc
vim-runtime 2:9.0.1378-2+deb12u2 2:9.1.0016-1ubuntu7.9 all 7025000 36806 | /usr/share/vim/vim90/defaults.vim /usr/share/vim/vim90/syntax/syntax.vim
libgpm2 1.20.7-10+b1 1.20.7-11 amd64 14500 55 | /usr/lib/x86_64-linux-gnu/libgpm.so.2
libsodium23 1.0.18-1 1.0.18-1build3 amd64 161000 359 | /usr/lib/x86_64-linux-gnu/libsodium.so.23.3.0
vim 2:9.0.1378-2+deb12u2 2:9.1.0016-1ubuntu7.9 amd64 1567000 3772 vim-common vim-runtime libgpm2 libsodium23 | /usr/bin/vim.basic
libexpat1 2.5.0-1+deb12u2 2.6.1-2ubuntu0.3 amd64 99900 371 | /usr/lib/x86_64-linux-gnu/libexpat.so.1.8.10
libgdbm6 1.23-3 1.23-5.1build1 amd64 72200 213 | /usr/lib/x86_64-linux-gnu/libgdbm.so.6.0.0
libgdbm-compat4 1.23-3 1.23-5.1build1 amd64 48200 74 libgdbm6 | /usr/lib/x86_64-linux-gnu/libgdbm_compat.so.4.0.0
perl-modules-5.36 5.36.0-7+deb12u3 5.38.2-3.2ubuntu0.2 all 2815000 17811 | /usr/share/perl/5.36/strict.pm /usr/share/perl/5.36/warnings.pm
libperl5.36 5.36.0-7+deb12u3 5.38.2-3.2ubuntu0.2 amd64 4207000 28009 libgdbm-compat4 | /usr/lib/x86_64-linux-gnu/libperl.so.5.36.0
perl 5.36.0-7+deb12u3 5.38.2-3.2ubuntu0.2 amd64 239000 726 perl-modules-5.36 libperl5.36 | /usr/bin/perl5.36.0
liberror-perl 0.17029-2 0.17029-2 all 18100 48 perl | /usr/share/perl5/Error.pm
git-man 1:2.39.5-0+deb12u2 1:2.43.0-1ubuntu7.3 all 2053000 12178 | /usr/share/man/man1/git.1.gz
libcurl3-gnutls 7.88.1-10+deb12u14 8.5.0-2ubuntu10.6 amd64 385000 978 libbrotli1 libgssapi-krb5-2 libldap-2.5-0 libnghttp2-14 libpsl5 librtmp1 libssh2-1 | /usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4.8.0
libcbor0.8 0.8.0-2+b1 0.10.2-1.2ubuntu2 amd64 27400 90 | /usr/lib/x86_64-linux-gnu/libcbor.so.0.8.0
libfido2-1 1.12.0-2+b1 1.14.0-1build3 amd64 77200 244 libcbor0.8 | /usr/lib/x86_64-linux-gnu/libfido2.so.1.12.0
libedit2 3.1-20221030-2 3.1-20230828-1build1 amd64 88800 272 | /usr/lib/x86_64-linux-gnu/libedit.so.2.0.70
openssh-client 1:9.2p1-2+deb12u7 1:9.6p1-3ubuntu13.14 amd64 991000 5050 libfido2-1 libedit2 | /usr/bin/ssh /usr/bin/scp /usr/bin/ssh-keygen
patch 2.7.6-7 2.7.6-7build3 amd64 128000 243 | /usr/bin/patch
git 1:2.39.5-0+deb12u2 1:2.43.0-1ubuntu7.3 amd64 7264000 39084 git-man libcurl3-gnutls liberror-perl libexpat1 perl less openssh-client patch ca-certificates | /usr/bin/git /usr/lib/git-core/git-remote-http /usr/share/git-core/templates/description
nginx-common 1.22.1-9+deb12u3 1.24.0-2ubuntu7.5 all 111000 487 | /etc/nginx/nginx.conf /etc/nginx/sites-available/default /etc/nginx/sites-enabled/default->/etc/nginx/sites-available/default /var/www/html/index.nginx-debian.html
libmnl0 1.0.4-3 1.0.5-2build1 amd64 12200 48 | /usr/lib/x86_64-linux-gnu/libmnl.so.0.2.0
libelf1 0.188-2.1 0.190-1.1ubuntu0.1 amd64 174000 1051 | /usr/lib/x86_64-linux-gnu/libelf-0.188.so
iproute2 6.1.0-3 6.1.0-1ubuntu6.2 amd64 1045000 3394 libelf1 libmnl0 libcap2-bin | /usr/bin/ip /usr/bin/ss
nginx 1.22.1-9+deb12u3 1.24.0-2ubuntu7.5 amd64 528000 1296 nginx-common iproute2 | /usr/sbin/nginx
media-types 10.0.0 10.1.0 all 26100 102 | /etc/mime.types
netbase 6.4 6.4 all 12800 41 | /etc/services /etc/protocols
tzdata 2025b-0+deb12u2 2025b-0ubuntu0.24.04.1 all 260000 1421 | /usr/share/zoneinfo/UTC /usr/share/zoneinfo/Europe/Berlin /usr/share/zoneinfo/Asia/Shanghai
readline-common 8.2-1.3 8.2-4build1 all 69000 115 | /etc/inputrc
libreadline8 8.2-1.3 8.2-4build1 amd64 163000 473 readline-common | /usr/lib/x86_64-linux-gnu/libreadline.so.8.2
libsqlite3-0 3.40.1-2+deb12u2 3.45.1-1ubuntu2.5 amd64 839000 1770 | /usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6
libmpdec3 2.5.1-2 2.5.1-2build2 amd64 88000 243 | /usr/lib/x86_64-linux-gnu/libmpdec.so.2.5.1
libpython3.11-minimal 3.11.2-6+deb12u6 3.12.3-1ubuntu0.8 amd64 817000 4821 | /usr/lib/python3.11/os.py /usr/lib/python3.11/site.py
python3.11-minimal 3.11.2-6+deb12u6 3.12.3-1ubuntu0.8 amd64 2064000 5863 libpython3.11-minimal libexpat1 | /usr/bin/python3.11
python3-minimal 3.11.2-1+b1 3.12.3-0ubuntu2.1 amd64 26300 120 python3.11-minimal | /usr/bin/python3->python3.11
libpython3.11-stdlib 3.11.2-6+deb12u6 3.12.3-1ubuntu0.8 amd64 1798000 8197 media-types libsqlite3-0 libncursesw6 libreadline8 libmpdec3 tzdata netbase | /usr/lib/python3.11/json/__init__.py /usr/lib/python3.11/http/server.py
python3.11 3.11.2-6+deb12u6 3.12.3-1ubuntu0.8 amd64 573000 630 libpython3.11-stdlib | /usr/bin/pydoc3.11
libpython3-stdlib 3.11.2-1+b1 3.12.3-0ubuntu2.1 amd64 9300 36 libpython3.11-stdlib | /usr/share/doc/libpython3-stdlib/copyright
python3 3.11.2-1+b1 3.12.3-0ubuntu2.1 amd64 26200 88 python3-minimal python3.11 libpython3-stdlib | /usr/bin/pydoc3 /usr/bin/pdb3->../lib/python3.11/pdb.py
"""

# PyPI, late 2025, wheels for CPython 3.12 on x86_64
_MANYLINUX = "cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64"
# name: (version, wheel tag, wheel bytes, metadata bytes, installed bytes, module, requirements, scripts)
PIP_CATALOG = {
    "blinker": ("1.9.0", "py3-none-any", 8_500, 1_600, 42_000, "blinker", (), ()),
    "click": ("8.3.0", "py3-none-any", 107_000, 2_600, 480_000, "click", (), ()),
    "itsdangerous": ("2.2.0", "py3-none-any", 16_000, 1_900, 60_000, "itsdangerous", (), ()),
    "markupsafe": ("3.0.3", _MANYLINUX, 22_000, 2_700, 58_000, "markupsafe", (), ()),
    "jinja2": ("3.1.6", "py3-none-any", 135_000, 2_900, 760_000, "jinja2", ("markupsafe>=2.0",), ()),
    "werkzeug": ("3.1.3", "py3-none-any", 225_000, 3_700, 1_020_000, "werkzeug", ("markupsafe>=2.1.1",), ()),
    "flask": ("3.1.2", "py3-none-any", 103_000, 3_200, 410_000, "flask",
              ("blinker>=1.9.0", "click>=8.1.3", "itsdangerous>=2.2.0", "jinja2>=3.1.2", "markupsafe>=2.1.1",
               "werkzeug>=3.1.0"), ("flask=flask.cli",)),
    "charset_normalizer": ("3.4.4", _MANYLINUX, 153_000, 37_000, 520_000, "charset_normalizer", (),
                           ("normalizer=charset_normalizer.cli",)),
    "idna": ("3.11", "py3-none-any", 71_000, 8_400, 380_000, "idna", (), ()),
    "urllib3": ("2.5.0", "py3-none-any", 129_000, 6_500, 620_000, "urllib3", (), ()),
    "certifi": ("2025.10.5", "py3-none-any", 163_000, 2_500, 300_000, "certifi", (), ()),
    "requests": ("2.32.5", "py3-none-any", 64_000, 4_900, 340_000, "requests",
                 ("charset_normalizer<4,>=2", "idna<4,>=2.5", "urllib3<3,>=1.21.1", "certifi>=2017.4.17"), ()),
    "numpy": ("2.3.4", "cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64", 16_600_000, 62_000,
              38_900_000, "numpy", (), ("f2py=numpy.f2py.f2py2e", "numpy-config=numpy._configtool")),
    "asgiref": ("3.10.0", "py3-none-any", 24_000, 9_300, 110_000, "asgiref", (), ()),
    "sqlparse": ("0.5.3", "py3-none-any", 44_000, 3_900, 230_000, "sqlparse", (), ("sqlformat=sqlparse.__main__",)),
    "django": ("5.2.8", "py3-none-any", 8_300_000, 4_100, 29_400_000, "django", ("asgiref>=3.8.1", "sqlparse>=0.3.1"),
               ("django-admin=django.core.management",)),
}
