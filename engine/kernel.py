"""The one host every simulated container runs on: its kernel and operating system.

Containers share the host's kernel, so `uname` inside any container and the daemon's own
`docker info` / `docker version` report the same values (moby daemon/info.go:60-65 fills
KernelVersion from uname's release, OperatingSystem from the host's /etc/os-release PRETTY_NAME,
OSType from GOOS and Architecture from uname's machine).
"""
RELEASE = "6.8.0-45-generic"  # uname -r
VERSION = "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024"  # uname -v
MACHINE = "x86_64"  # uname -m; docker info's Architecture
GOARCH = "amd64"  # docker version's Os/Arch pair speaks Go's names
OS_TYPE = "linux"
OPERATING_SYSTEM = "Ubuntu 24.04.1 LTS"  # the host whose kernel is #45-Ubuntu (Aug 2024): 24.04.1
OS_VERSION = "24.04"  # its VERSION_ID (docker info's OSVersion)
