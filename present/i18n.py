"""The language present/ writes its labels in (pure: no Flask; English unless told otherwise).

present/ builds the stage's texts (a layer's tooltip, "… 3 more layers", a build step's note) while
it computes the view, so it cannot leave them to the templates. Its strings are marked with `_()`
and `ngettext()` so that pybabel extracts them into the same catalog as the templates; the web
side activates the request's translations for the request (web/i18n.py); tests run in English.

    with translating(gettext, ngettext): view = present.stage(...)
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

_Gettext = Callable[[str], str]
_Ngettext = Callable[[str, str, int], str]


def _english(text: str) -> str:
    return text


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


_current: ContextVar[tuple[_Gettext, _Ngettext]] = ContextVar("present_translations",
                                                                default=(_english, _english_plural))


def _(text: str, **params) -> str:
    """`text` in the current language, with %(name)s filled from `params`."""
    translated = _current.get()[0](text)
    return translated % params if params else translated


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    """The singular or plural form for `n` (%(num)s is n), in the current language."""
    return _current.get()[1](singular, plural, n) % {"num": n, **params}


def activate(gettext: _Gettext, ngettext_: _Ngettext):
    """Use these translations from now on in this context; returns the token for deactivate()."""
    return _current.set((gettext, ngettext_))


def deactivate(token) -> None:
    _current.reset(token)


@contextmanager
def translating(gettext: _Gettext, ngettext_: _Ngettext) -> Iterator[None]:
    token = _current.set((gettext, ngettext_))
    try:
        yield
    finally:
        _current.reset(token)


__all__ = ["_", "ngettext", "activate", "deactivate", "translating"]
