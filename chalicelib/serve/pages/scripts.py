"""Content in a script other than the page's: isolated for bidi, and marked with its language.

On a Persian page, a run of Latin script (an English title, a quote, an id, a date in Latin
digits) is spoken with an English voice only if it sits in an element with ``lang="en"``, and
keeps its order only if it is isolated (``<bdi>``) and laid out left to right. ``isolate`` is the
one place that decides it; the templates call it as the ``text`` filter for every value that
comes from the data rather than from the catalogue.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A Latin run: from a Latin letter, through letters, digits, spaces and punctuation, to the
# last Latin letter or digit (closing punctuation included), never across Arabic script.
LATIN_RUN = re.compile(
    r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9\s.,:;'’‘\"“”()\[\]/&+\-–—_!?@#%*=]*"
    r"[A-Za-z\u00c0-\u024f0-9.)\]'’\"”]|[A-Za-z\u00c0-\u024f]"
)


def isolate(value: object, page_lang: str, css: str = "") -> Markup:
    """``value`` escaped in a ``<bdi>``; on a Persian page its Latin runs marked English."""
    text = "" if value is None else str(value)
    cls = f' class="{css}"' if css else ""
    if page_lang != "fa" or not LATIN.search(text):
        return Markup(f"<bdi{cls}>{escape(text)}</bdi>")
    if not ARABIC.search(text):
        return Markup(f'<bdi{cls} lang="en" dir="ltr">{escape(text)}</bdi>')
    parts, last = [], 0
    for run in LATIN_RUN.finditer(text):
        parts.append(escape(text[last : run.start()]))
        parts.append(Markup('<bdi lang="en" dir="ltr">{}</bdi>').format(run.group()))
        last = run.end()
    parts.append(escape(text[last:]))
    return Markup(f"<bdi{cls}>") + Markup("").join(parts) + Markup("</bdi>")
