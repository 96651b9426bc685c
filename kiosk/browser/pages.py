"""The kiosk's own pages in the browser, in the resident's language: never Chromium's error pages."""

from __future__ import annotations

import html

from kiosk.i18n import N_, translate

BLOCKED = (N_("This page cannot be opened here"),
           N_("This computer opens public e-services only. Ask a staff member."))
FAILED = (N_("The page could not be opened"),
          N_("The e-service does not answer just now. Try again in a moment, or ask a staff member."))

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{heading}</title>
<style>
  body {{ font-family: "DejaVu Sans", sans-serif; margin: 0; padding: 3em; background: #fff; color: #111; }}
  h1 {{ font-size: 2.4em; margin: 0 0 0.6em; }}
  p {{ font-size: 1.6em; line-height: 1.4; max-width: 40em; }}
</style></head>
<body><h1>{heading}</h1><p>{sentence}</p></body></html>
"""


def kiosk_page(words: tuple[str, str], language: str) -> str:
    heading, sentence = (html.escape(translate(language, text)) for text in words)
    return PAGE.format(lang=language, heading=heading, sentence=sentence)
