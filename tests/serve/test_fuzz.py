"""Fuzzing, bounded: property tests of parameters, cursors and EDTF bounds; schemathesis against
the app's own OpenAPI document; and POST /validate fed records generated from our schemas.

Every bound is a number here, the thorough count, scaled down in the everyday run
(``support.examples``); FUZZ_EXAMPLES (an environment variable) sets the schemathesis run's
count outright, for a longer soak.
"""

from __future__ import annotations

import copy
import json
import os
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from chalicelib.errors import UnknownCursor
from chalicelib.model import edtf
from chalicelib.model.folding import fold
from chalicelib.model.kinds import KINDS
from chalicelib.release.dataset import Dataset
from chalicelib.serve.cursors import CURSOR_PATTERN
from chalicelib.serve.query import (
    BadParameter,
    ListQuery,
    allowed_params,
    decode_cursor,
    encode_cursor,
    parse_list_params,
    run_list,
)
from support.examples import examples
from support.hardening import Api, Published, chalice_client, leaks, published_mini, wsgi_app
from support.service import serve, serving

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", examples(40)))
# Derandomized: a run in CI meets the same examples as the run before it, so it cannot turn red
# by chance. FUZZ_EXAMPLES (and a local edit of the bounds) is how to explore further.
QUIET = dict(
    deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
)
# Through the app, generation only: shrinking a failure there can take minutes.
BOUNDED = dict(QUIET, phases=[Phase.explicit, Phase.reuse, Phase.generate])


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Published:
    with published_mini("dir", tmp_path_factory.mktemp("fuzz")) as published:
        yield published


@pytest.fixture(scope="module")
def release(published):
    return Dataset(published.open()).current()


# -- list parameters ---------------------------------------------------------------------------

EVERY_PARAM = sorted({name for kind in KINDS for name in allowed_params(kind)})
AWKWARD = [
    "",
    " ",
    "-",
    "--id",
    "-id",
    "id",
    "name",
    "-date",
    "0",
    "1",
    "500",
    "501",
    "-1",
    "1.0",
    "١٢",
    "²",
    "１",
    "1e2",
    "0x10",
    "1988",
    "1988-22",
    "1988-02-30",
    "..",
    "../1988",
    "1988/",
    "/1988",
    "1988?~",
    "198X",
    "people/x",
    "places/tehran",
    "claims/",
    "/",
    "%00",
    "\x00",
    "\ud800",
    "🙂",
    "ي",
    "‌",
    "a" * 201,
    "a" * 200,
]
VALUES = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(max_size=40),
    st.text(alphabet=string.digits + "-/.?~%X", max_size=24),
)
PARAMS = st.dictionaries(
    st.one_of(st.sampled_from(EVERY_PARAM), st.text(max_size=12)),
    st.lists(VALUES, max_size=3),
    max_size=5,
)


@settings(max_examples=examples(400), **QUIET)
@given(kind=st.sampled_from(KINDS), params=PARAMS)
def test_list_parameters_parse_or_raise_bad_parameter_naming_one_given(kind, params):
    try:
        query = parse_list_params(kind, params)
    except BadParameter as error:
        assert error.param in params or (error.param.endswith("…") and len(error.param) <= 40)
        return
    assert 1 <= query.limit <= 500
    assert query.q is None or fold(query.q)  # a q of no letter or digit is a 400


@settings(max_examples=examples(300), **QUIET)
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_any_parsed_list_query_runs_on_a_real_index_or_raises_bad_parameter(release, kind, data):
    names = [name for name in allowed_params(kind) if name != "release"]
    params = data.draw(
        st.dictionaries(
            st.sampled_from(names), st.lists(VALUES, min_size=1, max_size=1), max_size=4
        ),
        label="params",
    )
    try:
        query = parse_list_params(kind, params)
    except BadParameter:
        return
    index = release.collection_index(kind.collection)
    try:
        page = run_list(index, query, release.version)
    except BadParameter as error:
        assert error.param == "cursor"
        return
    assert len(page.items) <= query.limit
    for body in page.items:
        json.loads(body)


# -- cursors -----------------------------------------------------------------------------------

VERSIONS = st.from_regex(r"[0-9]{8}-[0-9a-f]{8}", fullmatch=True)
CURSOR_ALPHABET = string.ascii_letters + string.digits + "-_"


def a_query(kind_index: int, sort: str | None = None, q: str | None = None) -> ListQuery:
    kind = KINDS[kind_index % len(KINDS)]
    return ListQuery(kind, q=q, sort=sort or "id")


@settings(max_examples=examples(300), **QUIET)
@given(
    position=st.integers(0, 2**32 - 1),
    kind=st.integers(0, 5),
    release=VERSIONS,
    q=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
)
def test_a_cursor_round_trips_its_position(position, kind, release, q):
    query = a_query(kind, q=q)
    assert decode_cursor(encode_cursor(position, query, release), query, release) == position


def mutations(cursor: str):
    """Strategies for every small change to a cursor's text."""
    index = st.integers(0, len(cursor) - 1)
    return st.one_of(
        st.tuples(index, st.sampled_from(CURSOR_ALPHABET)).map(
            lambda c: cursor[: c[0]] + c[1] + cursor[c[0] + 1 :]
        ),
        index.map(lambda i: cursor[:i] + cursor[i + 1 :]),
        st.tuples(index, st.characters()).map(lambda c: cursor[: c[0]] + c[1] + cursor[c[0] :]),
        st.text(min_size=1, max_size=4).map(lambda t: cursor + t),
        st.sampled_from(["=", "==", " ", "\n"]).map(lambda t: cursor + t),
        st.integers(1, len(cursor) - 1).map(lambda n: cursor[:n]),
    ).filter(lambda mutated: mutated != cursor)


@settings(max_examples=examples(500), **QUIET)
@given(position=st.integers(0, 2**32 - 1), kind=st.integers(0, 5), release=VERSIONS, data=st.data())
def test_any_change_to_a_cursor_is_a_bad_cursor(position, kind, release, data):
    query = a_query(kind)
    cursor = encode_cursor(position, query, release)
    mutated = data.draw(mutations(cursor))
    with pytest.raises(BadParameter) as caught:
        decode_cursor(mutated, query, release)
    assert caught.value.param == "cursor"


@settings(max_examples=examples(200), **QUIET)
@given(
    position=st.integers(0, 2**32 - 1),
    release=VERSIONS,
    other=VERSIONS,
    sort=st.sampled_from(["id", "name"]),
    q=st.text(min_size=1, max_size=8),
)
def test_a_cursor_works_only_for_its_own_query_and_release(position, release, other, sort, q):
    query = a_query(0)
    cursor = encode_cursor(position, query, release)
    assume(other != release)
    for wrong_query, wrong_release in (
        (query, other),
        (a_query(0, sort=sort, q=q), release),
        (a_query(1), release),
    ):
        if wrong_query.digest == query.digest and wrong_release == release:
            continue
        with pytest.raises(BadParameter):
            decode_cursor(cursor, wrong_query, wrong_release)


@settings(max_examples=examples(300), **QUIET)
@given(text=st.text(max_size=80) | st.from_regex(CURSOR_PATTERN, fullmatch=True))
def test_any_text_as_a_cursor_is_a_bad_cursor_or_a_position(text):
    try:
        position = decode_cursor(text, a_query(0), "20261127-3f9a1c2b")
    except BadParameter as error:
        assert error.param == "cursor"
        # The pattern OpenAPI states is what parts a 400 (not a cursor) from a 404 (no page).
        assert isinstance(error, UnknownCursor) == bool(re.fullmatch(CURSOR_PATTERN, text))
    else:  # only a cursor encode_cursor made, i.e. a forgery of odds 2**-96
        assert encode_cursor(position, a_query(0), "20261127-3f9a1c2b") == text


# -- EDTF bounds -------------------------------------------------------------------------------

YEARS = st.integers(0, 9999).map(lambda y: f"{y:04d}")
MONTHS = st.integers(1, 12).map(lambda m: f"{m:02d}")


@st.composite
def edtf_dates(draw) -> str:
    """Any single EDTF date the syntax allows (calendar impossibilities included)."""
    year = draw(YEARS)
    shape = draw(
        st.sampled_from(
            ["year", "month", "day", "season", "year-xx", "month-xx", "xx-xx", "decade", "century"]
        )
    )
    text = {
        "year": lambda: year,
        "month": lambda: f"{year}-{draw(MONTHS)}",
        "day": lambda: f"{year}-{draw(MONTHS)}-{draw(st.integers(1, 31)):02d}",
        "season": lambda: f"{year}-{draw(st.integers(21, 24))}",
        "year-xx": lambda: f"{year}-XX",
        "month-xx": lambda: f"{year}-{draw(MONTHS)}-XX",
        "xx-xx": lambda: f"{year}-XX-XX",
        "decade": lambda: year[:3] + "X" + draw(st.sampled_from(["", "-XX", "-XX-XX"])),
        "century": lambda: year[:2] + "XX" + draw(st.sampled_from(["", "-XX", "-XX-XX"])),
    }[shape]()
    return text + draw(st.sampled_from(["", "", "?", "~", "%"]))


def parsed_or_none(text: str):
    try:
        return edtf.bounds(text)
    except edtf.EDTFError:
        return None


def valid_day(day: str) -> bool:
    year, month, dom = (int(part) for part in day.split("-"))
    return 1 <= month <= 12 and 1 <= dom <= edtf._days_in_month(year, month)


@settings(max_examples=examples(1000), **QUIET)
@given(date=edtf_dates())
def test_a_date_is_bounded_by_real_days_earliest_first(date):
    found = parsed_or_none(date)
    assume(found is not None)  # 1988-02-30 and 9999-24 are the only refusals
    earliest, latest = found
    assert valid_day(earliest) and valid_day(latest)
    assert earliest <= latest
    core = date.rstrip("?~%")
    assert edtf.bounds(core) == found  # qualifiers say how sure, not how wide


@settings(max_examples=examples(1000), **QUIET)
@given(
    start=st.one_of(edtf_dates(), st.sampled_from(["", ".."])),
    end=st.one_of(edtf_dates(), st.sampled_from(["", ".."])),
)
def test_an_interval_is_bounded_by_its_ends(start, end):
    assume(not (start in ("", "..") and end in ("", "..")))
    ends = [
        parsed_or_none(side) if side not in ("", "..") else (None, None) for side in (start, end)
    ]
    assume(None not in ends)
    earliest, latest = edtf.bounds(f"{start}/{end}")
    (start_lo, start_hi), (end_lo, end_hi) = ends
    assert (earliest, latest) == (start_lo, end_hi)
    if earliest is not None and latest is not None:
        assert edtf.is_reversed(f"{start}/{end}") == (earliest > latest)
        if start_lo <= end_lo and start_hi <= end_hi:  # ends in order: the span holds both
            assert earliest <= start_lo <= start_hi <= latest
            assert earliest <= end_lo <= end_hi <= latest


@settings(max_examples=examples(1000), **QUIET)
@given(
    text=st.one_of(
        st.text(max_size=30),
        st.text(alphabet="0123456789X-/.?~%", max_size=25),
        st.from_regex(edtf.EDTF_PATTERN),
    )
)
def test_any_text_parses_or_raises_edtf_error_and_agrees_with_the_pattern(text):
    try:
        edtf.parse(text)
        parsed = True
    except edtf.EDTFError:
        parsed = False
    matches = re.fullmatch(edtf.EDTF_PATTERN, text) is not None and "\n" not in text
    if parsed:
        assert matches and parsed_or_none(text) is not None
    elif matches:  # the pattern is portable; only calendar impossibilities slip through it
        assert re.search(r"-02-3[01]|-(?:04|06|09|11)-31|-02-29|^9999-24|/9999-24", text)


# -- schemathesis: every operation, the spec's own parameters, responses checked against it ----


@pytest.fixture(scope="module")
def api_schema(published):
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    from app import app

    restore = serve(Dataset(published.open()))
    # The project's own configuration, as `make contract` uses it: every check, including that
    # a schema-valid request is accepted (a generated cursor is left out: see its hooks).
    config = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
    yield schemathesis.openapi.from_wsgi("/openapi.json", wsgi_app(app), config=config)
    restore()


def no_leaks(ctx, response, case) -> None:
    """A schemathesis check: the response carries nothing the no-leak rule forbids (``leaks``)."""
    headers = {name: ", ".join(values) for name, values in response.headers.items()}
    body = (
        case.body
        if isinstance(case.body, bytes)
        else json.dumps(case.body).encode()
        if isinstance(case.body, (dict, list, str))
        else None
    )
    target = response.request.path_url if response.request is not None else case.formatted_path
    found = leaks(response.status_code, headers, response.content, body, target)
    assert not found, found


def operations() -> list[tuple[str, str]]:
    """(method, path) of every operation /openapi.json describes: the app's routes."""
    from app import app

    return sorted(
        (method, path)
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if not getattr(entry.view_function, "not_an_operation", False)
    )


# Operations that take no input at all: there is nothing to make invalid in negative mode.
NO_INPUT = {"/style.css"}


@pytest.mark.parametrize("mode", ["positive", "negative"])
@pytest.mark.parametrize("method, path", operations())
def test_every_operation_answers_as_its_openapi_says(api_schema, method, path, mode):
    if mode == "negative" and path in NO_INPUT:
        assert not api_schema[path][method].definition.raw.get("parameters")
        return
    from schemathesis.generation import GenerationMode

    operation = api_schema[path][method]
    strategy = operation.as_strategy(generation_mode=GenerationMode(mode))

    @settings(max_examples=SCHEMATHESIS_EXAMPLES, **BOUNDED)
    @given(case=strategy)
    def call(case):
        case.call_and_validate(additional_checks=[no_leaks])

    call()


def spec_operation(client: Api, method: str, path: str) -> dict:
    return client.get("/openapi.json").json["paths"][path][method.lower()]


def test_the_spec_gives_the_media_type_a_schema_is_served_as(validate_api):
    served = validate_api.get("/schemas/person").content_type
    documented = spec_operation(validate_api, "GET", "/schemas/{kind}")["responses"]["200"][
        "content"
    ]
    assert served in documented


def test_the_spec_accepts_the_bodies_post_validate_judges_item_by_item(validate_api):
    from jsonschema import Draft202012Validator

    document = validate_api.get("/openapi.json").json
    body_schema = {"$ref": "#/components/schemas/ValidationRequest", **document}
    judged = [
        {"kind": "person", "record": {}, "note": "an unexpected key"},
        {"record": {}},
        {"kind": "castle", "record": {}},
        [{"kind": "person"}],
        [1, 2],
    ]
    for body in judged:
        assert validate_api.post("/validate", json.dumps(body).encode()).status == 200
        assert Draft202012Validator(body_schema).is_valid(body), body


# -- POST /validate: records generated from our own schemas ------------------------------------

# Checks the validator makes beyond the schemas: a generated record may fail these, as its
# references point nowhere, its quantities and intervals may be reversed, and its dates may
# not exist. Any other error means the schema stage refused what the schema allows.
CROSS_RECORD = {
    "reference",
    "withheld",
    "consent",
    "claimDate",
    "adjudicated",
    "interval",
    "quantity",
    "edtf",
    "duplicateClaim",
    "inReplyTo",  # a reply names a claim that must exist, with a stance that answers it
}


def _legacy_many():
    """hypothesis-jsonschema 0.23.1 (the latest) calls ``many.more()``, which this Hypothesis
    replaced with a context manager. This adapts the one call site, for these tests only."""
    import types

    import hypothesis_jsonschema._from_schema as generator
    from hypothesis.internal.conjecture import utils as conjecture

    if hasattr(conjecture.many, "more"):
        return

    class Many:
        def __init__(self, data, **sizes):
            self._many = conjecture.many(data, **sizes)
            self._many.__enter__()
            self._elements = iter(self._many)

        def more(self) -> bool:
            if next(self._elements, StopIteration) is StopIteration:
                self._many.__exit__(None, None, None)
                return False
            return True

        def reject(self, why=None) -> None:
            self._many.reject(why)

    generator.cu = types.SimpleNamespace(many=Many)


def bundled(kind_name: str) -> dict:
    """The kind's schema with the shared definitions inlined, as hypothesis-jsonschema needs."""
    from chalicelib.model.schemas import SchemaSet

    documents = SchemaSet.from_dir().documents

    def local(node):
        if isinstance(node, dict):
            out = {k: local(v) for k, v in node.items() if k not in ("$id", "$schema", "examples")}
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = re.fullmatch(r"(?:.*defs\.schema\.json)?#/\$defs/(\w+)", ref).group(1)
                out["$ref"] = f"#/$defs/{name}"
            return out
        if isinstance(node, list):
            return [local(v) for v in node]
        return node

    schema = local(copy.deepcopy(documents[f"{kind_name}.schema.json"]))
    schema["$defs"] = {**local(documents["defs.schema.json"]["$defs"]), **schema.get("$defs", {})}
    return schema


def as_branches(schema: dict) -> dict:
    """The same schema with its ``allOf`` of if/then written as an ``anyOf`` of branches.

    hypothesis-jsonschema merges an ``allOf`` by trying every subset of its parts (2**8 for a
    claim's seven conditions), then filters what it draws through each condition; an ``anyOf``
    of one branch per condition it merges once each and draws from directly. The two accept the
    same records when every ``if`` picks values of one required property from its enum, and the
    ``if``s share none: exactly one condition then applies to a record, or none does (the
    values no ``if`` names, a branch of their own). Anything else is refused here, not guessed.
    """
    conditions = schema.get("allOf")
    if not conditions:
        return schema
    rest = {key: value for key, value in schema.items() if key != "allOf"}
    (name,) = {name for condition in conditions for name in condition["if"]["properties"]}
    assert name in schema["required"], name
    branches, named = [], set()
    for condition in conditions:
        chosen = condition["if"]["properties"][name]
        assert condition == {"if": {"properties": {name: chosen}, "required": [name]}, **condition}
        assert set(condition) == {"if", "then"} and set(condition["then"]) == {"properties"}
        assert set(chosen) == {"enum"} and named.isdisjoint(chosen["enum"]), condition
        named.update(chosen["enum"])
        branches.append({"properties": {name: chosen, **condition["then"]["properties"]}})
    unnamed = [value for value in schema["properties"][name]["enum"] if value not in named]
    if unnamed:
        branches.append({"properties": {name: {"enum": unnamed}}})
    return {**rest, "anyOf": branches}


@pytest.fixture(scope="module")
def validate_api(published):
    with serving(Dataset(published.open())):
        yield Api(chalice_client())


def post_items(client: Api, items: list[dict]) -> list[dict]:
    answer = client.post("/validate", json.dumps({"items": items}).encode())
    assert answer.status == 200, answer.body[:300]
    return answer.json["results"]


def wrong_type(value):
    """A value of a JSON type no field in our schemas takes where ``value`` stands."""
    return {"unexpected": True} if not isinstance(value, dict) else ["unexpected"]


KIND_NAMES = [kind.name for kind in KINDS]


@pytest.fixture(scope="module")
def validators():
    from chalicelib.model.schemas import SchemaSet

    return SchemaSet.from_dir().validators


def points_at(result: dict, pointer: str, keywords=None) -> bool:
    return any(
        e["pointer"] == pointer
        and (
            (keywords is None and e["keyword"] not in CROSS_RECORD)
            or (keywords is not None and e["keyword"] in keywords)
        )
        for e in result["errors"]
    )


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_records_generated_from_a_schema_pass_its_schema_stage_and_fail_one_field_at_a_time(
    validate_api, validators, kind
):
    from hypothesis_jsonschema import from_schema

    _legacy_many()
    required = bundled(kind).get("required", [])

    def fits_another_kind(record) -> bool:
        # The validator then says "this looks like a <kind> record" of the whole record, by
        # design (an event of type 'other' without its date is a valid organization).
        return any(name != kind and validators[name].is_valid(record) for name in KIND_NAMES)

    @settings(max_examples=examples(25), **BOUNDED)
    @given(record=from_schema(as_branches(bundled(kind))), data=st.data())
    def check(record, data):
        field = data.draw(st.sampled_from(sorted(record)), label="field")
        unknown = data.draw(
            st.from_regex(r"[a-z]{3,12}", fullmatch=True).filter(lambda k: k not in record),
            label="unknown key",
        )
        typed = {**record, field: wrong_type(record[field])}
        extra = {**record, unknown: 1}
        missing = {k: v for k, v in record.items() if k != field}
        results = post_items(
            validate_api, [{"kind": kind, "record": r} for r in (record, typed, extra, missing)]
        )

        as_generated, typed_result, extra_result, missing_result = results
        assert {e["keyword"] for e in as_generated["errors"]} <= CROSS_RECORD, as_generated
        assert points_at(typed_result, f"/{field}"), (field, typed_result)
        assert points_at(extra_result, f"/{unknown}", {"additionalProperties"}), extra_result
        if field in required:
            if fits_another_kind(missing):
                assert points_at(missing_result, "", {"kind"}), missing_result
            else:
                assert points_at(missing_result, f"/{field}", {"required"}), (field, missing_result)

    check()
