"""Pages: the answer a view gave, rendered with Jinja2 for a person reading it.

Imported only when a page is asked for (``routing.Router.page``), so the JSON routes never load
Jinja2. A page is rendered from the view's JSON answer and from other views' JSON answers
(``documents``), never from storage; autoescaping is on for every template.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import jinja2

from chalicelib.model.kinds import BY_COLLECTION, KINDS
from chalicelib.serve.pages import maps, negotiation, present, scripts, sources, summary
from chalicelib.serve.pages.cite import citations
from chalicelib.serve.pages.documents import Documents, parsed, title_of
from chalicelib.serve.pages.fragments import Fragments
from chalicelib.serve.pages.i18n import Words
from chalicelib.serve.responses import CACHE_NONE, Finished, Reply, finish
from chalicelib.serve.route import UNKNOWN_PATHS
from chalicelib.serve.service import Service

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
HTML = "text/html; charset=utf-8"
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'"
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Vary": "Accept, Accept-Language",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# A path that urlsplit gives back whole: no query, no fragment, no host, nothing it strips.
PLAIN_PATH = re.compile(r"/(?!/)[^?#\t\r\n]*")
# Fields every record page shows in sections of their own, not in the table of fields.
OWN_SECTIONS = ("id", "name", "names", "title", "sources", "withheld", "description")


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template, whatever its name
        auto_reload=False,  # templates ship with the code: no stat() per render
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = present.safe_url
    env.globals.update(kinds=KINDS)
    return env


@dataclass(frozen=True)
class PageRequest:
    """What a page depends on besides the view's answer."""

    template: str  # the route's path, as registered: '/people/{id}'
    args: tuple[tuple[str, str], ...]
    params: Mapping[str, list[str]]  # the view's parameters (no format, no lang)
    lang: str
    explicit_lang: bool  # given as ?lang=, so every link keeps it
    base: str  # scheme and host, for citations
    service: Service = field(compare=False)  # what the page's documents are asked of

    @classmethod
    def of(
        cls, template: str, args: Mapping[str, str], params, headers, service: Service
    ) -> PageRequest:
        lang = negotiation.language(params, headers.get("accept-language"))
        host = headers.get("host", "")
        # API Gateway says https in X-Forwarded-Proto; `chalice local` is plain http.
        scheme = headers.get("x-forwarded-proto", "http")
        return cls(
            template,
            tuple(sorted(args.items())),
            negotiation.view_params(params),
            lang,
            "lang" in params,
            f"{scheme}://{host}" if host else "",
            service,
        )

    @property
    def path(self) -> str:
        path = self.template
        for name, value in self.args:
            path = path.replace("{" + name + "}", quote(value, safe=""))
            # A greedy parameter ('/{proxy+}', the unknown paths) holds a path of its own.
            path = path.replace("{" + name + "+}", quote(value, safe="/"))
        return path

    @property
    def key(self) -> tuple:
        return (
            "page",
            self.lang,
            self.explicit_lang,
            self.base,
            self.path,
            *((n, *v) for n, v in self.params.items()),
        )

    def link(self, url: str, **params: str | None) -> str:
        """``url`` with ``params`` set (None removes one), ``lang`` kept if it was chosen, and a
        pinned release kept, so that a pinned page only ever links into the same release."""
        keeps = self.explicit_lang or "release" in self.params
        if not params and not keeps and PLAIN_PATH.fullmatch(url):
            return url  # nothing to keep nor change: most links of a page
        parts = urlsplit(url)
        query = [(n, v) for n, v in parse_qsl(parts.query) if n not in params and n != "lang"]
        query += [(n, v) for n, v in params.items() if v is not None]
        pinned = self.params.get("release")
        if pinned and "release" not in params and all(n != "release" for n, _ in query):
            query.append(("release", pinned[0]))
        if self.explicit_lang and "lang" not in params:
            query.append(("lang", self.lang))
        return parts.path + ("?" + urlencode(query) if query else "")

    def here(self, **params: str | None) -> str:
        """This page's URL with ``params`` changed."""
        query = urlencode([(n, v) for n, values in self.params.items() for v in values])
        return self.link(self.path + ("?" + query if query else ""), **params)


def page(request: PageRequest, answer: Finished) -> Finished:
    """The page for ``answer``; a 200's page is kept, as the JSON answer is.

    Only JSON has a page: a CSV, a gzip or the stylesheet is answered as it is.
    """
    if not answer.content_type.startswith(negotiation.JSON_TYPES):
        return answer
    if answer.status != 200 or answer.etag is None:
        return finish(_render(request, answer))
    return request.service.kept_as((answer.etag, request.key), lambda: _render(request, answer))


def _render(request: PageRequest, answer: Finished) -> Reply:
    document = parsed(answer)
    if request.template == "/search" and not "".join(request.params.get("q", [])).strip():
        # An empty search box asks for the search page, not for an error.
        context = _common(request, {})
        context.update({"found": {}, "q": ""})
        html = environment().get_template("search.html").render(context)
        body = scripts.mark_latin_runs(html, request.lang).encode("utf-8")
        return Reply(body, 200, HTML, _headers(answer), CACHE_NONE)
    if isinstance(document, dict) and _refused_search(request, answer, document):
        return _search_refused_page(request, answer, document)
    if answer.status >= 300 or document is None or answer.content_type.endswith("problem+json"):
        return _problem_page(request, answer, document)
    context = _common(request, document)
    name, extra = _page_for(request, document, context)
    context.update(extra)
    html = environment().get_template(name).render(context)
    body = scripts.mark_latin_runs(html, request.lang).encode("utf-8")
    cache = answer.headers.get("Cache-Control", CACHE_NONE)
    return Reply(body, 200, HTML, _headers(answer), cache)


def _headers(answer: Finished) -> dict[str, str]:
    kept = {name: answer.headers[name] for name in ("Link",) if name in answer.headers}
    return {**kept, **PAGE_HEADERS}


def _common(request: PageRequest, document) -> dict:
    words = Words(request.lang)
    docs = Documents(request.service, request.params)

    def label(ref: str) -> str:
        target = present.reference(ref)
        record = docs.record(ref) if target else None
        return title_of(record, target[0], request.lang) if record and target else ref

    def source_of(ref: object) -> dict | None:
        return sources.described(docs, ref)

    def relation_of(ref: object) -> str | None:
        return sources.relation(docs, ref)

    def title(record: Mapping, collection: str) -> str:
        return title_of(record, collection, request.lang)

    fragments = Fragments(words, request.link, label, title, source_of, relation_of)
    return {
        **language_context(request.lang),
        **fragments.functions(),
        "w": words,
        "req": request,
        "docs": docs,
        "label": label,
        # A listed record's title, from the listed record itself (no lookup).
        "title": title,
        "source_of": source_of,
        "affiliation_of": lambda ref: sources.affiliation(docs, ref),
        "relation_of": relation_of,
        "release": document.get("release") if isinstance(document, dict) else None,
        "other_lang_url": request.here(lang=words.other),
        "json_url": request.here(format="json"),
    }


def language_context(lang: str) -> dict:
    """What every template needs to know of the page's language."""
    return {
        "lang": lang,
        "dir": Words(lang).dir,
        "text": lambda value, css="": scripts.isolate(value, lang, css),
    }


def _page_for(request: PageRequest, document, context: dict) -> tuple[str, dict]:
    template = request.template
    parts = template.strip("/").split("/")
    kind = BY_COLLECTION.get(parts[0]) if parts[0] else None
    if template == "/":
        return "index.html", {"index": document, "dataset": context["docs"].dataset()}
    if template == "/dataset":
        return "dataset.html", _dataset_page(document, context)
    if template == "/search":
        return "search.html", {"found": document, "q": document.get("q", "")}
    if kind is not None and len(parts) == 1:
        return _list_page(request, kind, document, context)
    if kind is not None and len(parts) == 2:
        return _record_page(request, kind, document, context)
    if kind is not None and len(parts) == 3 and parts[2] == "history":
        return _history_page(request, kind, document, context)
    if kind is not None and len(parts) == 3:
        subject = f"{kind.collection}/{dict(request.args)['id']}"
        return "list.html", {
            "kind": BY_COLLECTION["claims"],
            "page": document,
            "heading": context["w"]("claims_referring", what=context["label"](subject)),
            "facets": {},
            "timeline": False,
        }
    pretty = json.dumps(document, ensure_ascii=False, indent=2)
    return "document.html", {"heading": request.path, "pretty": pretty}


def _map(request: PageRequest, context: dict, highlight: str | None = None):
    """The map of every place, with the victims each is named as the place of killing of."""
    docs: Documents = context["docs"]
    words: Words = context["w"]
    places = docs.shared_listing("places", {"limit": ["500"]}).get("items", [])
    killed = docs.shared_listing("claims", {"property": ["killed_at"], "limit": ["500"]})
    counts = maps.victims_by_place(killed.get("items", []))

    def caption(place, n):
        name = title_of(place, "places", request.lang)
        basis = words("coordinates_basis_" + place["coordinates"]["basis"])
        return words("map_point", name=name, n=words.number(n), basis=basis)

    return {
        "svg": maps.svg(
            places,
            counts,
            link=lambda place_id: request.link(f"/places/{place_id}"),
            aria=words("map_label"),
            caption=caption,
            highlight=highlight,
            width=640 if highlight is None else 360,
        ),
        "places": [p for p in places if maps.drawn(p)],
        "elsewhere": [p for p in places if not maps.drawn(p)],
        "counts": counts,
        "small": highlight is not None,
    }


FORMATS = (
    (".jsonl.gz", "format_jsonl"),
    (".csv", "format_csv"),
    (".sqlite", "format_sqlite"),
    (".json", "format_json"),
)


def _dataset_page(dataset: dict, context: dict) -> dict:
    """The download page: each file with its format, size and checksum, and the releases."""
    words: Words = context["w"]
    files = []
    for f in dataset.get("files") or ():
        if not isinstance(f, dict):
            continue
        name = str(f.get("name", ""))
        fmt = next((key for suffix, key in FORMATS if name.endswith(suffix)), "format_other")
        size = f.get("bytes")
        shown = (
            words("size_kb", n=words.number(max(1, round(size / 1024))))
            if isinstance(size, int)
            else ""
        )
        files.append({**f, "format": fmt, "size": shown})
    releases = context["docs"].releases().get("releases") or []
    return {"dataset": dataset, "files": files, "releases": releases}


def _history_page(request: PageRequest, kind, document, context) -> tuple[str, dict]:
    """A record's history, each entry with the fields that changed since the one before it."""
    ref = f"{kind.collection}/{dict(request.args)['id']}"
    entries = [e for e in document.get("history") or () if isinstance(e, dict)]
    previous: dict | None = None
    shown = []
    for entry in sorted(entries, key=lambda e: str(e.get("release", ""))):
        release = str(entry.get("release", ""))
        record = Documents(request.service, {"release": [release]}).record(ref) if release else None
        changes = history_changes(previous, record) if entry.get("action") != "added" else []
        shown.append({**entry, "changes": changes})
        previous = record if record is not None else previous
    return "history.html", {
        "ref": ref,
        "kind": kind,
        "heading": context["w"]("history_of", what=context["label"](ref)),
        "entries": shown[::-1],
    }


def history_changes(before: Mapping | None, after: Mapping | None) -> list[dict]:
    """The top-level fields that differ between two versions of a record, field by field."""
    before, after = before or {}, after or {}
    changed = []
    for name in dict.fromkeys([*before, *after]):
        if name in ("release",) or before.get(name) == after.get(name):
            continue
        changed.append({"field": name, "before": before.get(name), "after": after.get(name)})
    return changed


def _list_page(request: PageRequest, kind, document, context) -> tuple[str, dict]:
    docs: Documents = context["docs"]
    timeline = kind.collection == "events"
    if timeline and "sort" not in request.params:
        # As a page, the events list is a timeline: the same list, in date order.
        document = docs.listing("events", {**request.params, "sort": ["date"]})
    if timeline:
        document = {**document, "items": placed_by_known_bound(document.get("items") or [])}
    facet_params = {n: v for n, v in request.params.items() if n not in ("cursor", "sort", "limit")}
    return "list.html", {
        "kind": kind,
        "page": document,
        "heading": context["w"]("collection_" + kind.collection),
        "facets": docs.facets(kind.collection, facet_params),
        "timeline": timeline,
        "map": _map(request, context) if kind.collection == "places" else None,
        "active": [
            (name, value)
            for name, values in request.params.items()
            if name not in NOT_FILTERS
            for value in values
        ],
    }


NOT_FILTERS = ("cursor", "limit", "sort", "release", "format", "lang")


def placed_by_known_bound(events: list) -> list:
    """Events in time order by the bound that is known: an event open at its start is placed
    by its end, not before everything else."""

    def when(event) -> str:
        bounds = present.date_parts(event.get("date", "")) if isinstance(event, dict) else {}
        return bounds.get("start") or bounds.get("end") or "9999"

    return sorted(events, key=when)


def _record_page(request: PageRequest, kind, record, context) -> tuple[str, dict]:
    docs: Documents = context["docs"]
    record_id = dict(request.args)["id"]
    ref = f"{kind.collection}/{record_id}"
    claims = docs.claims_about(kind.collection, record_id)
    about: dict[str, list] = {}
    mentions, citing = [], []
    for claim in claims.get("items", ()):
        if claim.get("subject") == ref:
            about.setdefault(claim.get("property", ""), []).append(claim)
        elif any(s.get("source") == ref for s in claim.get("sources", ()) if isinstance(s, dict)):
            citing.append(claim)
        else:
            mentions.append(claim)
    withheld: dict[str, list[dict]] = {}
    for entry in record.get("withheld") or ():
        if isinstance(entry, dict):
            top = str(entry.get("pointer", "")).strip("/").split("/")[0]
            withheld.setdefault(top, []).append(entry)
    fields = [name for name in dict.fromkeys([*record, *withheld]) if name not in OWN_SECTIONS]
    names = list(record.get("names") or ())
    if request.lang == "fa":  # Persian-script names first on a Persian page
        names.sort(key=lambda n: not (isinstance(n, dict) and n.get("script") == "Arab"))
    title = title_of(record, kind.collection, request.lang)
    dataset = docs.dataset()
    version = dataset.get("version", "")
    url = f"{request.base}/{ref}?release={version}"
    return "record.html", {
        "kind": kind,
        "record": record,
        "ref": ref,
        "title": title,
        "names": names,
        "fields": fields,
        "withheld": withheld,
        "about": about,
        "mentions": mentions,
        "citing": citing,
        "claims_next": claims.get("next"),
        "summary": summary.facts(kind.collection, record, about),
        "counts": summary.counts_by_claimant(
            about.get("victim_count", ()), lambda claim: _said_on(claim, context)
        ),
        "map": _map(request, context, record_id)
        if kind.collection == "places" and maps.drawn(record)
        else None,
        "cite": citations(
            title=title, collection=kind.collection, record_id=record_id, url=url, dataset=dataset
        ),
        "cite_version": version,
    }


def _said_on(claim, context) -> str | None:
    """When a claim was said: the publication date of its first source; of a span (a page
    published on one day and updated since), its known start."""
    first = (claim.get("sources") or [{}])[0]
    source = context["source_of"](first.get("source")) if isinstance(first, dict) else None
    published = (source or {}).get("published")
    if not isinstance(published, str):
        return None
    start, _, end = published.partition("/")
    known = start if start not in ("", "..") else end
    return known if known not in ("", "..") else None


def _refused_search(request: PageRequest, answer: Finished, document) -> bool:
    """A search whose words cannot be searched for ('!!'): the reader stays on the search page,
    told why, rather than on an error page."""
    return (
        request.template == "/search"
        and answer.status == 400
        and isinstance(document, dict)
        and document.get("parameter") == "q"
    )


def _search_refused_page(request: PageRequest, answer: Finished, problem: Any) -> Reply:
    context = _common(request, {})
    given = request.params.get("q") or [""]
    context.update({"found": {"results": []}, "q": given[0], "problem": problem})
    body = environment().get_template("search.html").render(context).encode("utf-8")
    return Reply(body, answer.status, HTML, PAGE_HEADERS, CACHE_NONE)


def _problem_page(request: PageRequest, answer: Finished, problem) -> Reply:
    problem = problem if isinstance(problem, dict) else {}
    words = Words(request.lang)
    headers = {n: v for n, v in answer.headers.items() if n in ("Allow", "Retry-After", "Link")}
    location = answer.headers.get("Location")
    if location:
        safe = present.safe_url(location)
        location = request.link(safe) if safe and safe.startswith("/") else safe
        if location:
            headers["Location"] = location
    context = {
        **language_context(request.lang),
        "w": words,
        "req": request,
        "release": None,
        "other_lang_url": request.here(lang=words.other),
        "json_url": request.here(format="json"),
        "problem": problem,
        # A path no route has: the reader is told so in their language, not in the detail's
        # English meant for API clients.
        "unknown_path": request.template == UNKNOWN_PATHS,
        "status": answer.status,
        "location": location,
    }
    html = environment().get_template("problem.html").render(context)
    body = scripts.mark_latin_runs(html, request.lang).encode("utf-8")
    cache = answer.headers.get("Cache-Control", CACHE_NONE)
    return Reply(body, answer.status, HTML, {**headers, **PAGE_HEADERS}, cache)
