"""``/contribute``: a page where a person writes a record in a form and checks it.

GET shows the choice of kinds, then the form of the chosen kind, made from its schema.
POST (a plain form post, so the page works without JavaScript) reads the record back
from the form, runs the validator exactly as ``POST /validate`` does (the release's
schemas and records, plus this one), and shows each problem beside its field. A valid
record is given back: as JSON to copy, or as a file to download. Nothing is stored.

The page is in the site's layout (``base.html``), with the site's words (the catalogue's
``contribute_*`` strings) and the pages' Content-Security-Policy, with no script and no inline
style.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from chalicelib.checks.validate import Item, validate
from chalicelib.model.kinds import BY_NAME, KINDS
from chalicelib.serve.contribute_text import LANGUAGES, PageWords, kind_name
from chalicelib.serve.limits import MAX_BODY_SHOWN, MAX_FORM_FIELDS
from chalicelib.serve.request import Request, accepted_body, only
from chalicelib.serve.responses import CACHE_CURRENT, JSON, Problem, Reply, bad_parameter
from chalicelib.serve.route import COMMON_ERRORS, Operation, Route, problem_response
from chalicelib.serve.service import Service

HTML = "text/html; charset=utf-8"
FORM = "application/x-www-form-urlencoded"
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'"
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
TEMPLATES = Path(__file__).resolve().parent / "templates"
# What the form's buttons ask for, besides the record's own fields (named '/…').
ACTIONS = ("check", "download")


def contribute_page(request: Request) -> Reply:
    """GET the form (in the chosen language, of the chosen kind); POST it to have it checked.

    The page takes its own ``lang``: it is a page whatever the Accept header says.
    """
    if request.method == "POST":
        return _submitted(request, request.body, request.content_type)
    only(request.params, ("kind", "lang"))
    lang = _lang(_one(request.params, "lang"))
    kind = _kind(_one(request.params, "kind"))
    release, _ = request.service.release_for({})
    if kind is None:
        page = _render(lang, request.service, kind=None, fields=[], release=release.version)
    else:
        form = _record_form(kind, request.service.schema_set(release))
        page = _render(
            lang, request.service, kind=kind, fields=form.fields({}), release=release.version
        )
    return _html(page, cache=CACHE_CURRENT)


def _submitted(request: Request, body: bytes, content_type: str | None) -> Reply:
    only(request.params, ())
    accepted_body(body, content_type, FORM, f"send the form as {FORM}", "form")
    form = _parse_form(body)
    action = _first(form, "action")
    if action not in (None, *ACTIONS):
        raise bad_parameter("action", f"'action' is one of: {', '.join(ACTIONS)}")
    lang = _lang(_first(form, "lang"))
    kind = _kind(_first(form, "kind"))
    if kind is None:
        raise bad_parameter("kind", "'kind' is required: the kind of record the form holds")
    # Lazy, as the form's other modules below: only the contribution form makes ids from names.
    from chalicelib.checks.slugs import slug

    release, _ = request.service.release_for({})
    schemas = request.service.schema_set(release)
    record_form = _record_form(kind, schemas)
    record = record_form.record(form)
    # A claim's id says who claims what; its title field (the property) would not make one.
    title = record.get(BY_NAME[kind].title_field) if kind != "claim" else None
    if "id" not in record and isinstance(title, str) and slug(title):
        record = {"id": slug(title), **record}  # the id the name gives, as `new` makes it
    report = validate([Item(kind, record, "the form")], schemas, release.catalog())
    item = report.items[0]
    path = f"data/{BY_NAME[kind].collection}/{record.get('id', kind)}.json"
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    if action == "download" and item.valid:
        return Reply(
            text.encode("utf-8"),
            content_type=JSON,
            headers={"Content-Disposition": f'attachment; filename="{path.rsplit("/", 1)[1]}"'},
        )
    # Lazy: the record as form fields and back, and the validator's messages in the page's
    # language, serve the contribution form alone.
    from chalicelib.serve.pages.i18n import Words
    from chalicelib.serve.problem_words import worded
    from chalicelib.serve.recordform import place_errors

    words = Words(lang)
    fields = record_form.fields(record)
    whole = place_errors(fields, [(p.pointer, worded(p, words)) for p in item.errors])
    summary = [
        (f.id, f.pointer, message) for top in fields for f in top.walk() for message in f.errors
    ]
    page = _render(
        lang,
        request.service,
        kind=kind,
        fields=fields,
        release=release.version,
        checked=True,
        valid=item.valid,
        error_count=len(item.errors),
        whole_errors=whole,
        summary=summary,
        warnings=[worded(p, words) for p in item.warnings],
        record_json=text,
        path=path,
    )
    return _html(page)


def _record_form(kind: str, schemas):
    # Lazy: skeletons from the schemas, and the form's fields, serve the contribution form alone.
    from chalicelib.checks.scaffold import Skeleton
    from chalicelib.serve.recordform import RecordForm

    skeleton = Skeleton(schemas)
    shapes = {"quantity": skeleton.defs["quantity"]} if kind == "claim" else {}
    return RecordForm(schemas.document(kind), skeleton.resolve, shapes)


def _parse_form(body: bytes) -> dict[str, list[str]]:
    try:
        text = body.decode("utf-8")
        return parse_qs(
            text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict"
        )
    except UnicodeDecodeError:
        raise Problem(400, "bad-body", "Bad request body", "the form is not UTF-8") from None
    except ValueError:
        raise Problem(
            413, "too-large", "Payload too large", f"the form has over {MAX_FORM_FIELDS:,} fields"
        ) from None


def _one(params, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _first(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def _lang(value: str | None) -> str:
    if value is None:
        return "en"
    if value not in LANGUAGES:
        raise bad_parameter("lang", f"'lang' is one of: {', '.join(LANGUAGES)}")
    return value


def _kind(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in BY_NAME:
        raise bad_parameter("kind", f"'kind' is one of: {', '.join(k.name for k in KINDS)}")
    return value


def _render(lang: str, service: Service, **context: Any) -> str:
    """The page in the site's layout, with the site's words (``contribute_*`` in the catalogue)."""
    from markupsafe import Markup  # with Jinja2, on first use

    from chalicelib.serve.pages import rendering, scripts
    from chalicelib.serve.pages.i18n import Words
    from chalicelib.serve.schema_words import hint

    words = Words(lang)
    kind = context["kind"]
    switch = {"lang": words.other, **({"kind": kind} if kind else {})}
    request = rendering.PageRequest("/contribute", (), {}, lang, True, "", service)
    defaults = {
        "checked": False,
        "valid": False,
        "error_count": 0,
        "whole_errors": [],
        "summary": [],
        "warnings": [],
        "record_json": "",
        "path": "",
    }
    page = (
        rendering.environment()
        .get_template("contribute.html")
        .render(
            **rendering.language_context(lang),
            w=words,
            req=request,
            t=PageWords(words),
            en=Markup("" if lang == "en" else ' lang="en" dir="ltr"'),
            hint_words=lambda field: hint(field, lang),
            kind_choices=[(k.name, kind_name(k.name, words)) for k in KINDS],
            kind_label=kind_name(kind, words) if kind else "",
            other_lang_url="/contribute?" + urlencode(switch),
            json_url=None,
            **{**defaults, **context},
        )
    )
    return scripts.mark_latin_runs(page, lang)


def _html(page: str, cache: str = "no-store") -> Reply:
    return Reply(page.encode("utf-8"), content_type=HTML, headers=dict(PAGE_HEADERS), cache=cache)


# -- the route's declaration -------------------------------------------------------------------

SUMMARY = "A page to write a record in a form, in English or Persian, and check it (HTML)."
DESCRIPTION = (
    "GET shows a form made from the chosen kind's schema; a form POST runs the validator as "
    "POST /validate does and shows each problem beside its field. A valid record is given "
    "back to copy or download, with the steps to open a pull request. Nothing is stored."
)
# The choices the page takes in its query and its form.
PAGE_CHOICES = {
    "kind": {"type": "string", "enum": [kind.name for kind in KINDS]},
    "lang": {"type": "string", "enum": list(LANGUAGES)},
}
PAGE_HTML = {"text/html": {"schema": {"type": "string"}}}
# A valid record downloaded: a record of one of the kinds.
RECORD_SCHEMA = {"anyOf": [{"$ref": f"#/components/schemas/{kind.name}"} for kind in KINDS]}

ROUTES = [
    Route(
        "/contribute",
        contribute_page,
        {
            "GET": Operation(
                "contribute",
                SUMMARY,
                {**COMMON_ERRORS, "200": {"description": "The page.", "content": PAGE_HTML}},
                DESCRIPTION,
                tuple(
                    {"name": name, "in": "query", "required": False, "schema": schema}
                    for name, schema in PAGE_CHOICES.items()
                ),
            ),
            # The GET and the POST share one view.
            "POST": Operation(
                "contribute_submit",
                SUMMARY,
                {
                    **COMMON_ERRORS,
                    "200": {
                        "description": (
                            "The page with the record checked; a valid record downloaded as JSON."
                        ),
                        "content": {**PAGE_HTML, JSON: {"schema": RECORD_SCHEMA}},
                    },
                    "413": problem_response(
                        f"The form is over {MAX_BODY_SHOWN}, or has too many fields."
                    ),
                    "415": problem_response(f"The form is not sent as {FORM}."),
                },
                DESCRIPTION,
                (),
                {
                    "required": True,
                    "content": {
                        FORM: {
                            "schema": {
                                "type": "object",
                                "required": ["kind"],
                                "properties": {
                                    **PAGE_CHOICES,
                                    "action": {"type": "string", "enum": list(ACTIONS)},
                                },
                                # Each field of the record, named by its JSON Pointer
                                # ('/names/0/lang').
                                "additionalProperties": {"type": "string"},
                            }
                        }
                    },
                },
            ),
        },
        pages=False,
    )
]
