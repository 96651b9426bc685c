"""Rendering the console's pages in the staff member's language (Latvian unless they chose otherwise)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from staffdesk.api.deps import LANGUAGE_COOKIE
from staffdesk.words import LANGUAGES, channel_name, language_or_default, script_words, words

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


def language(request: Request) -> str:
    return language_or_default(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE))


def render(request: Request, name: str, context: dict, status: int = 200):
    lang = language(request)
    catalogue = words(lang)
    # The templates' _() and pgettext() are this request's language: one environment serves every language at once.
    response = templates.TemplateResponse(request, name, {
        "lang": lang, "languages": LANGUAGES, "_": catalogue.gettext, "pgettext": catalogue.pgettext,
        "channel_name": partial(channel_name, lang),
        "words_json": json.dumps(script_words(lang), ensure_ascii=False), **context}, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="strict", path="/",
                            secure=request.app.state.settings.cookie_secure)
    # The console's pages hold no secrets worth caching and must never be framed by another site.
    response.headers["Cache-Control"] = "no-store"
    return response
