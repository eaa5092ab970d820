"""Go values as the template engine sees them: MISSING (Go's invalid reflect.Value, a map key that
isn't there) and the truth of a value (text/template exec.go isTrue)."""
from __future__ import annotations

from engine.cli.formatter.goprint import GoNil


class _Missing:
    def __repr__(self):
        return "MISSING"


MISSING = _Missing()


def plain(value):
    """A missing value as a function argument: Go passes the zero interface, nil."""
    return None if value is MISSING else value


def truth(value) -> bool:
    if value is MISSING or value is None or isinstance(value, GoNil):
        return False
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) > 0
    if isinstance(value, (bool, int, float)):
        return value != 0
    return True
