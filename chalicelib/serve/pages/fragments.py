"""The pieces of markup the pages repeat: a date, a link to a record, a value, a citation, a
table of claims. Written in Python rather than as Jinja macros, since a record page repeats them
for every claim, citation and claimant, and a macro call costs many times a function call.

One ``Fragments`` serves one page, in one language: a piece asked for twice on a page (the same
source cited by many claims, the same claimant, the same date) is built once. Every value is
escaped as the templates escape (``scripts.escaped`` replaces what ``markupsafe.escape`` does),
and data values are isolated as the templates' ``text`` isolates them (``scripts.isolated``);
a piece is joined as a plain string and made ``Markup`` once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

from chalicelib.serve.pages import hijri, present, scripts
from chalicelib.serve.pages.i18n import Words
from chalicelib.serve.pages.scripts import escaped

# Fields whose values are words of a vocabulary, and the catalogue prefix that translates them.
VOCABULARIES = {
    "type": "type_",
    "categories": "category_",
    "stance": "stance_",
    "status": "status_",
    "confidence": "confidence_",
    "property": "property_",
    "languages": "language_",
    "relation": "relation_",
}
DATE_FIELDS = ("date", "born", "died", "founded", "dissolved", "published")
LINK_FIELDS = ("url", "archive_url")
# What a list page shows of each record beside its title.
KIND_FIELDS = ("type", "categories")
LISTED_DATES = ("born", "died", "founded", "published", "date")


def _shown(record: Mapping, name: str) -> Any:
    """A field as a template prints it: a missing field prints nothing."""
    return escaped(str(record[name])) if name in record else ""


def _is_sequence(value: Any) -> bool:
    """Jinja's ``sequence`` test: anything with a length and items."""
    try:
        len(value)
        value.__getitem__  # noqa: B018
    except Exception:
        return False
    return True


class Fragments:
    """The repeated pieces of one page, each built once per page."""

    def __init__(
        self,
        words: Words,
        link: Callable[[str], str],
        label: Callable[[Any], str],
        title: Callable[[Mapping, str], str],
        source_of: Callable[[object], dict | None],
        relation_of: Callable[[object], str | None],
    ):
        self.w = words
        self.lang = words.lang
        self.link = link
        self.label = label
        self.title = title
        self.source_of = source_of
        self.relation_of = relation_of
        self._dates: dict[tuple[str, bool], Markup] = {}
        self._links: dict[Any, Markup] = {}
        self._sources: dict[object, Markup] = {}
        self._words: dict[str, str] = {}
        self._strings: dict[tuple[str, str], Markup] = {}
        self._vocab: dict[tuple[str, Any], str] = {}

    def word(self, key: str) -> str:
        """A word of the catalogue, escaped."""
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = escaped(self.w(key))
        return found

    def vocab(self, key: str, default: Any) -> str:
        """A vocabulary word of the catalogue (``Words.get``), escaped."""
        found = self._vocab.get((key, default))
        if found is None:
            found = self._vocab[key, default] = escaped(str(self.w.get(key, default)))
        return found

    def text(self, value: object, css: str = "") -> str:
        """A data value isolated and escaped, as the templates' ``text`` gives it."""
        return scripts.isolated(value, self.lang, css)

    def date(self, when: str, brief: bool = False) -> Markup:
        """A date as written, a span's bounds or an open end said, uncertainty marked."""
        key = (when, brief)
        if key not in self._dates:
            self._dates[key] = self._date(when, brief)
        return self._dates[key]

    def _date(self, when: str, brief: bool) -> Markup:
        w = self.w
        d = present.date_parts(when)
        fa = hijri.persian(when) if self.lang == "fa" else None
        uncertain = (
            f' <small class="mark">{self.word("uncertain")}</small>' if d["uncertain"] else ""
        )
        if fa:
            css = " uncertain" if d["uncertain"] else ""
            return Markup(f'<span class="date{css}"><bdi>{escaped(fa)}</bdi>{uncertain}</span>')
        css = (" span" if d["span"] else "") + (" uncertain" if d["uncertain"] else "")
        out = [f'<span class="date{css}">', self.text(d["text"], "nobreak")]
        if brief:
            pass
        elif d["span"] and d["start"] and d["end"]:
            between = w.html(
                "between",
                start=Markup(self.text(d["start"], "nobreak")),
                end=Markup(self.text(d["end"], "nobreak")),
            )
            out += [" <small>(", between, ")</small>"]
        elif d["span"]:
            out += [" <small>(", self.word("open_span"), ")</small>"]
        out += [uncertain, "</span>"]
        return Markup("".join(out))

    def ref_link(self, value: Any) -> Markup:
        """A reference as a link to its record, named by the record's title."""
        if value not in self._links:
            if present.reference(value):
                href = escaped(self.link(f"/{value}"))
                shown = Markup(f'<a href="{href}">{self.text(self.label(value))}</a>')
            else:
                shown = Markup(self.text(value))
            self._links[value] = shown
        return self._links[value]

    def value(self, v: Any, prop: str = "") -> Markup:
        """A field's or a claim's value: a count, a record, a link, a date, a word, a list."""
        if isinstance(v, str):  # most values: kept, as a claimant or a place recurs on a page
            found = self._strings.get((v, prop))
            if found is None:
                found = self._strings[v, prop] = self._string(v, prop)
            return found
        w = self.w
        count = present.count_value(v)
        if count:
            about = w("approx") + " " if count["approx"] else ""
            low, high = count["min"], count["max"]
            if low is not None and high is not None and low != high:
                shown = f"{escaped(about)}{escaped(w.number(low))}–{escaped(w.number(high))}"
            elif low is not None and high is not None:
                shown = f"{escaped(about)}{escaped(w.number(low))}"
            elif low is not None:
                shown = escaped(w("at_least", n=about + w.number(low)))
            else:
                shown = escaped(w("at_most", n=about + w.number(high)))
            return Markup(f'<span class="count">{shown}</span>\n')
        if isinstance(v, Mapping):
            items = "".join(
                f"<dt>{self.vocab('field_' + k, k)}</dt><dd>{self.value(item, k)}</dd>"
                for k, item in v.items()
            )
            return Markup(f'<dl class="inline">{items}</dl>\n')
        if _is_sequence(v):
            items = "".join(f"<li>{self.value(item, prop)}</li>" for item in v)
            return Markup(f'<ul class="values">{items}</ul>\n')
        if isinstance(v, int | float):  # a JSON number (or a boolean, as Jinja's test says)
            return Markup(f"{escaped(w.number(v))}\n")
        return Markup(self.text(v))

    def _string(self, v: str, prop: str) -> Markup:
        if present.reference(v):
            return Markup(f"{self.ref_link(v)}\n")
        if prop in LINK_FIELDS and (safe := present.safe_url(v)):
            return Markup(f'<a href="{escaped(safe)}" rel="external noopener">{self.text(v)}</a>\n')
        if prop.endswith("_on") or prop in DATE_FIELDS:
            return Markup(f"{self.date(v)}\n")
        if prop in VOCABULARIES:
            return Markup(f"{self.vocab(VOCABULARIES[prop] + v, v)}\n")
        return Markup(f"{self.text(v)}\n")

    def source_line(self, ref: object) -> Markup:
        """A source as a citation shows it: title — publisher, date, kind, languages, links."""
        if ref not in self._sources:
            self._sources[ref] = self._source_line(ref)
        return self._sources[ref]

    def _source_line(self, ref: object) -> Markup:
        s = self.source_of(ref)
        if not s:
            return self.ref_link(ref)
        out = [
            f'<span class="source"><a href="{escaped(self.link(f"/{ref}"))}">',
            self.text(s["title"]),
            "</a> — ",
        ]
        if s["publisher"]:
            out.append(self.ref_link(s["publisher"]))
            relation = s["publisher_relation"]
            if relation:
                shown = self.vocab("relation_" + relation, relation)
                out.append(f' <small class="relation">({shown})</small>')
        if s["published"]:
            out += [", ", self.date(s["published"])]
        if s["type"]:
            out += [" <small>· ", self.vocab("type_" + s["type"], s["type"])]
            out += [f" · {self.vocab('language_' + lang, lang)}" for lang in s["languages"]]
            out.append("</small>")
        if s["publisher_affiliation"]:
            affiliated = self.word("publisher_affiliated")
            out.append(f' <small class="affiliation">· {affiliated} ')
            out += [self.ref_link(s["publisher_affiliation"]), "</small>"]
        for field, key in (("url", "read_source"), ("archive_url", "archived_copy")):
            safe = s[field] and present.safe_url(s[field])
            if safe:
                out.append(
                    f' <small>· <a href="{escaped(safe)}" rel="external noopener">'
                    f"{self.word(key)}</a></small>"
                )
        out.append("</span>\n")
        if s["affiliation_note"]:
            out += ['<small class="affiliation">', self.text(s["affiliation_note"]), "</small>"]
        return Markup("".join(out))

    def citation(self, c: Mapping) -> Markup:
        """One citation of a claim or a record: the source, the locator, the quote."""
        out = ['<div class="citation">\n  ', self.source_line(c.get("source"))]
        if c.get("locator"):
            out += ["<small>, ", self.text(c["locator"], "locator"), "</small>"]
        if c.get("quote"):
            out += ["<blockquote>", self.text(c["quote"]), "</blockquote>"]
        out.append("</div>")
        return Markup("".join(out))

    def account(self, claim: Mapping) -> Markup:
        """Who says a claim, where and when, and a link to its evidence."""
        claimant = claim.get("claimed_by")
        out = ['<small class="account">', self.word("according_to"), " ", self.ref_link(claimant)]
        relation = self.relation_of(claimant)
        if relation:
            out.append(f" ({self.vocab('relation_' + relation, relation)})")
        first = (claim.get("sources") or [{}])[0]
        s = self.source_of(first["source"]) if first.get("source") else None
        if s and s["publisher"] and s["publisher"] != claimant:
            out += [", ", self.word("in_source_of"), " ", self.ref_link(s["publisher"])]
        if s and s["published"] and "/" not in s["published"]:
            out += [", ", self.date(s["published"])]
        out.append(
            f' · <a href="#claim-{_shown(claim, "id")}">{self.word("the_evidence")}</a></small>'
        )
        return Markup("".join(out))

    def claims_table(
        self, claims: list, show_subject: bool = False, show_property: bool = False
    ) -> Markup:
        """Claims side by side: value, claimant, assessment and evidence, a row each."""
        w = self.w
        word = {key: self.word(key) for key in ("subject", "property", "value", "claimant")}
        word.update((key, self.word(key)) for key in ("assessment", "evidence", "confidence"))
        out = ['<div class="scroll">\n<table class="claims">\n  <thead><tr>\n']
        if show_subject:
            out.append(f'<th scope="col">{word["subject"]}</th>')
        if show_property:
            out.append(f'<th scope="col">{word["property"]}</th>')
        out.append(
            f'    <th scope="col">{word["value"]}</th>\n'
            f'    <th scope="col">{word["claimant"]}</th>\n'
            f'    <th scope="col">{word["assessment"]}</th>\n'
            f'    <th scope="col">{word["evidence"]}</th>\n  </tr></thead>\n  <tbody>\n'
        )
        for claim in claims:
            out.append(f'    <tr id="claim-{_shown(claim, "id")}">\n')
            if show_subject:
                subject = self.ref_link(claim.get("subject"))
                out.append(f'<td data-label="{word["subject"]}">{subject}</td>')
            prop = claim.get("property", "")
            if show_property:
                shown = self.vocab("property_" + prop, prop)
                out.append(f'<td data-label="{word["property"]}">{shown}</td>')
            out.append(
                f'      <td data-label="{word["value"]}">{self.value(claim.get("value"), prop)}\n'
            )
            if "qualifiers" in claim:
                out.append(f'<div class="qualifiers">{self.value(claim["qualifiers"])}</div>')
            stance, status = claim.get("stance", ""), claim.get("status", "")
            confidence = claim.get("confidence", "")
            out.append(
                f'      </td>\n      <td data-label="{word["claimant"]}">'
                f"{self.ref_link(claim.get('claimed_by'))}</td>\n"
                f'      <td data-label="{word["assessment"]}">\n'
                f'        <span class="tag stance-{_shown(claim, "stance")}">'
                f"{self.vocab('stance_' + stance, stance)}</span>\n"
                f'        <span class="tag status-{_shown(claim, "status")}">'
                f"{self.vocab('status_' + status, status)}</span>\n"
                f'        <span class="tag">{word["confidence"]}: '
                f"{self.vocab('confidence_' + confidence, confidence)}</span>\n"
                f'      </td>\n      <td data-label="{word["evidence"]}">\n'
            )
            out += [self.citation(c) for c in claim.get("sources") or ()]
            if "note" in claim:
                out.append(
                    f'<details class="note"><summary>{self.word("working_detail")}</summary>'
                    f"<p>{self.text(claim['note'])}</p></details>"
                )
            for entry in claim.get("withheld") or ():
                withheld = escaped(w("withheld", reason=entry.get("reason", "")))
                out.append(f'<p class="withheld">{withheld} {self.text(entry.get("pointer"))}</p>')
            claim_id = claim.get("id", "")
            out.append(
                f'        <p class="small"><a href="{escaped(self.link("/claims/" + claim_id))}">'
                f"{self.word('the_claim')} {self.text(claim_id)}</a></p>\n      </td>\n    </tr>\n"
            )
        out.append("  </tbody>\n</table>\n</div>")
        return Markup("".join(out))

    def record_list(self, items: list, collection: str) -> Markup:
        """A list page's records: each linked by its title, with its kind and its dates."""
        out = ['  <ul class="records">\n']
        for item in items:
            href = escaped(self.link(f"/{collection}/{item.get('id', '')}"))
            title = self.text(self.title(item, collection))
            out.append(f'    <li><a href="{href}">{title}</a>\n      <small>\n')
            out += [self.value(item[field], field) for field in KIND_FIELDS if field in item]
            out += [
                f" {self.vocab('field_' + field, field)} {self.date(item[field])}"
                for field in LISTED_DATES
                if field in item
            ]
            out.append("      </small></li>\n")
        out.append("  </ul>")
        return Markup("".join(out))

    def functions(self) -> dict[str, Callable[..., Markup]]:
        """The pieces, by the names the templates call them by."""
        return {
            "date": self.date,
            "ref_link": self.ref_link,
            "value": self.value,
            "source_line": self.source_line,
            "citation": self.citation,
            "account": self.account,
            "claims_table": self.claims_table,
            "record_list": self.record_list,
        }
