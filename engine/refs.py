"""Image references as Docker parses them (distribution/reference grammar, familiar names)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from engine.errors import InvalidArgument, InvalidReference

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"^(?P<name>(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$")
_ANYCASE = re.compile(_REFERENCE.pattern.replace("[a-z0-9]", "[a-zA-Z0-9]"))
ID_PREFIX = re.compile(r"^(sha256:)?[0-9a-f]{1,64}$")


@dataclass(frozen=True)
class Ref:
    """A parsed reference: familiar repository ('nginx', 'acme/app'), tag, digest."""

    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def tagged(self) -> str:
        """'repo:tag' with ':latest' added when no tag/digest was given (TagNameOnly)."""
        if self.digest and not self.tag:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag or 'latest'}"

    @property
    def full_name(self) -> str:
        """docker.io/library/nginx:latest, as `docker pull` prints on its last line."""
        repo = self.repository
        first = repo.split("/", 1)[0]
        if "/" not in repo:
            repo = "docker.io/library/" + repo
        elif not ("." in first or ":" in first or first == "localhost"):
            repo = "docker.io/" + repo
        return f"{repo}:{self.tag or 'latest'}" if not self.digest else f"{repo}@{self.digest}"


def familiar(name: str) -> str:
    """docker.io/library/nginx -> nginx; docker.io/acme/app -> acme/app."""
    for prefix in ("docker.io/", "index.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if name.startswith("library/") and name.count("/") == 1:
        name = name[len("library/"):]
    return name


def parse(text: str) -> Ref:
    """Parse like reference.ParseNormalizedNamed; errors with Docker's wording."""
    # Listings parse every tag of every image on each command. A Ref is frozen and a function of
    # the text alone, so a bounded memo (thread-safe; errors are raised again, never stored) serves
    # them; over-long texts, which are invalid anyway, do not enter it.
    return _parse_memo(text) if isinstance(text, str) and len(text) <= 512 else _parse(text)


def _parse(text: str) -> Ref:
    if not text:
        raise InvalidReference("invalid reference format")
    match = _REFERENCE.match(text)
    if not match:
        if _ANYCASE.match(text):
            name = _ANYCASE.match(text).group("name")
            path = name if "/" in name else "library/" + name
            raise InvalidReference(
                f"invalid reference format: repository name ({path}) must be lowercase")
        raise InvalidReference("invalid reference format")
    name = match.group("name")
    if len(name) > 255:
        raise InvalidReference("invalid reference format: repository name must not be more than 255 characters")
    return Ref(familiar(name), match.group("tag"), match.group("digest"))


_parse_memo = functools.lru_cache(maxsize=2048)(_parse)


def parse_or_daemon_error(text: str) -> Ref:
    """Same as parse, for commands whose daemon reports the error (prefixed 'Error response from daemon')."""
    try:
        return parse(text)
    except InvalidReference as err:
        raise InvalidArgument(err.message) from None


def looks_like_id(text: str) -> bool:
    return bool(ID_PREFIX.match(text))
