"""Content in a script other than the page's: isolated for bidi, and marked with its language.

On a Persian page, a run of Latin script (an English title, a quote, an id, a date in Latin
digits) is spoken with an English voice only if it sits in an element with ``lang="en"``, and
keeps its order only if it is isolated (``<bdi>``) and laid out left to right. ``isolate`` is the
one place that decides it; the templates call it as the ``text`` filter for every value that
comes from the data rather than from the catalogue.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markupsafe import Markup

ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A Latin run: from a Latin letter, through letters, digits, spaces and punctuation, to the
# last Latin letter or digit, never across Arabic script nor a bracket (brackets mirror in
# the Persian text around them, and a run holding only one of a pair would turn it round).
LATIN_RUN = re.compile(
    r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9\s.,:;'’‘\"“”/&+\-–—_!?@#%*=]*"
    r"[A-Za-z\u00c0-\u024f0-9.'’\"”]|[A-Za-z\u00c0-\u024f]"
)


def isolate(value: object, page_lang: str, css: str = "") -> Markup:
    """``value`` escaped in a ``<bdi>``; on a Persian page its Latin runs marked English."""
    return Markup(isolated(value, page_lang, css))


def isolated(value: object, page_lang: str, css: str = "") -> str:
    """What ``isolate`` gives, as a plain string, for markup built of many such pieces."""
    text = "" if value is None else str(value)
    cls = f' class="{css}"' if css else ""
    if page_lang != "fa" or not LATIN.search(text):
        return f"<bdi{cls}>{escaped(text)}</bdi>"
    if not ARABIC.search(text):
        return f'<bdi{cls} lang="en" dir="ltr">{escaped(text)}</bdi>'
    parts, last = [], 0
    for run in LATIN_RUN.finditer(text):
        parts.append(escaped(text[last : run.start()]))
        parts.append(f'<bdi lang="en" dir="ltr">{escaped(run.group())}</bdi>')
        last = run.end()
    parts.append(escaped(text[last:]))
    return f"<bdi{cls}>" + "".join(parts) + "</bdi>"


def escaped(text: str) -> str:
    """``text`` escaped as ``markupsafe.escape`` escapes a string, left a plain string: the
    pieces of a page are joined as strings and made ``Markup`` once."""
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
# Elements whose text cannot hold markup, or is not read as prose.
RAW = frozenset(("title", "option", "textarea", "script", "style"))


class _Marker(HTMLParser):
    """Copies a page, wrapping each Latin run of text outside an English element."""

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[tuple[str, str]] = [("", page_lang)]

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")
        if tag not in VOID:
            lang = dict(attrs).get("lang") or self.stack[-1][1]
            self.stack.append((tag, "raw" if tag in RAW else lang))

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack[-1][1] != "fa" or not LATIN.search(data):
            self.out.append(data)
            return
        self.out.append(
            LATIN_RUN.sub(lambda m: f'<span lang="en" dir="ltr">{m.group()}</span>', data)
        )

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")


def mark_latin_runs(page: str, page_lang: str) -> str:
    """``page`` with every Latin run of a Persian page's own text in a ``lang="en"`` span.

    The catalogue's Persian strings name formats and standards (JSON, EDTF, SHA-256); the data's
    values are marked as they are written (``isolate``); this marks whatever is left, so that no
    English word is read with a Persian voice.
    """
    if page_lang != "fa":
        return page
    marker = _Marker(page_lang)
    marker.feed(page)
    marker.close()
    return "".join(marker.out)
