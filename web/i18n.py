"""Languages of the interface: Flask-Babel with English and Simplified Chinese.

The learner's choice (the language switch, kept in the session) wins; otherwise the browser's
Accept-Language decides, and English is the default. Docker's own output is never translated.
Catalogs live in translations/<locale>/LC_MESSAGES/messages.po (.mo compiled beside it):
    pybabel extract -F babel.cfg -o translations/messages.pot .
    pybabel update -i translations/messages.pot -d translations
    pybabel compile -d translations
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from babel import support
from flask import Flask, g, has_app_context, has_request_context, redirect, request, session
from flask_babel import Babel, get_locale, get_translations

from present import i18n as present_i18n
from web import request_memo

TRANSLATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations")
SESSION_KEY = "lang"
# Babel locale -> (HTML lang attribute, the language's own name for the switch)
LANGUAGES = {"en": ("en", "English"), "zh_Hans": ("zh-Hans", "简体中文")}


def locale_for(tag: str) -> str | None:
    """A language tag as browsers and people write it ('zh-CN', 'zh-Hans', 'zh', 'en-GB') -> our locale."""
    tag = tag.strip().lower().replace("_", "-")
    if tag == "zh" or tag.startswith("zh-"):
        return "zh_Hans"   # the only Chinese we have: better than English for any Chinese reader
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return None


def select_locale() -> str:
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    for tag, _quality in request.accept_languages:   # already sorted best first
        locale = locale_for(tag)
        if locale:
            return locale
    return "en"


def request_locale() -> str:
    """The request's locale ('en', 'zh_Hans'), read once: Flask-Babel walks its context on every
    get_locale(), and an answer asks ~80 times (every drawing's digest)."""
    return request_memo.once("locale", _locale_now)


def _locale_now() -> str:
    return str(get_locale())


def html_lang() -> str:
    """The current language as an HTML lang attribute: 'en' or 'zh-Hans'."""
    return LANGUAGES.get(request_locale(), LANGUAGES["en"])[0]


def content_lang() -> str:
    """'zh' or 'en': which half of a lesson's zh/en text to show."""
    return "zh" if request_locale().startswith("zh") else "en"


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no '//' trick) is followed after switching."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def switch_language(code: str):
    """GET /lang/<code>?next=/path: remember the choice and go back (a plain link, works without JS)."""
    locale = locale_for(code) if code not in LANGUAGES else code
    if locale:
        session[SESSION_KEY] = locale
        session.permanent = True
    return redirect(_safe_next(request.args.get("next")), code=303)


_NO_TRANSLATIONS = support.NullTranslations()


def translations() -> support.NullTranslations:
    """This request's catalog, looked up once per request. Flask-Babel's get_translations() walks its
    context, domain and locale again on every call (~25 µs), and an answer has ~50 `_()` calls and
    the stage's labels. The locale is fixed for a request (Flask-Babel caches it for the request too)."""
    return request_memo.once("translations", _translations_now)


def _translations_now() -> support.NullTranslations:
    # outside a request an app context may still be there (tests), or none at all
    return get_translations() if has_app_context() else _NO_TRANSLATIONS


def _gettext(text: str) -> str:
    return translations().gettext(text) if has_request_context() else text


def _ngettext(singular: str, plural: str, n: int) -> str:
    if has_request_context():
        return translations().ngettext(singular, plural, n)
    return singular if n == 1 else plural


def _present_speaks_the_request_language() -> None:
    """present/ labels (stage tooltips, build notes) in this request's language; undone at teardown."""
    g.present_i18n_token = present_i18n.activate(_gettext, _ngettext)


def _present_back_to_english(_error=None) -> None:
    token = g.pop("present_i18n_token", None)
    if token is not None:
        try:
            present_i18n.deactivate(token)
        except ValueError:   # set in another context (cannot happen with WSGI threads): leave it
            pass


def init_app(app: Flask) -> None:
    """Wire Flask-Babel, the language switch route and the template helpers into the app."""
    if "babel" in app.extensions:
        return
    Babel(app, locale_selector=select_locale, default_translation_directories=TRANSLATIONS)
    # the templates' _() and ngettext() as Flask-Babel installs them (newstyle: autoescaped, with
    # %(name)s variables), reading the request's catalog once
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.add_url_rule("/lang/<code>", "switch_language", switch_language)
    app.before_request(_present_speaks_the_request_language)
    app.teardown_request(_present_back_to_english)
    app.add_template_global(html_lang)
    app.add_template_global(content_lang)
    app.add_template_global(LANGUAGES, "languages")


def page_languages() -> dict:
    """What every page template needs: the HTML lang attribute and which half of zh/en texts to show."""
    return {"lang": html_lang(), "text_lang": content_lang()}
