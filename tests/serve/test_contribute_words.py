"""The contribution form in Persian: each field's hint from the schemas' Persian catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path

from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SchemaSet
from chalicelib.serve.contribute import _record_form
from chalicelib.serve.schema_words import CATALOGUES, LITERAL, form_descriptions

ROOT = Path(__file__).resolve().parents[2]
PERSIAN = json.loads((CATALOGUES / "schemas.fa.json").read_text(encoding="utf-8"))
LATIN = re.compile(r"[A-Za-z]")


def test_every_description_the_form_shows_has_a_persian_entry_and_none_is_stale():
    """Keyed by the English it translates: a description added or reworded in the schemas has
    no entry until it is translated, and an entry whose English the form no longer shows is
    stale."""
    schemas = SchemaSet.from_dir(ROOT / "schemas")
    shown = form_descriptions(_record_form(kind.name, schemas).fields({}) for kind in KINDS)
    assert len(shown) > 50  # the forms' hints were found
    assert sorted(shown - PERSIAN.keys()) == []  # missing
    assert sorted(PERSIAN.keys() - shown) == []  # stale


def test_a_persian_hint_is_persian_with_its_latin_between_backquotes():
    for english, persian in PERSIAN.items():
        assert persian.count("`") % 2 == 0, english
        assert not LATIN.search(LITERAL.sub("", persian)), english  # Latin is quoted, to isolate
        assert re.search(r"[\u0600-\u06ff]", persian), english


def _hints(body: str) -> dict[str, str]:
    return dict(re.findall(r'<p id="(f[^"]*|g[^"]*)-hint">(.*?)</p>', body, re.S))


def test_the_persian_form_gives_each_hint_in_persian_with_ids_and_examples_isolated(dir_client):
    for kind in KINDS:
        body = dir_client.http.get(f"/contribute?lang=fa&kind={kind.name}").body.decode()
        hints = _hints(body)
        assert hints, kind.name
        for field_id, hint in hints.items():
            # No English hint is left: each Latin run is an isolated, English-marked literal.
            outside = re.sub(r'<bdi lang="en" dir="ltr">[^<]*</bdi>', "", hint)
            assert not LATIN.search(outside), (kind.name, field_id, hint)
    hints = _hints(dir_client.http.get("/contribute?lang=fa&kind=person").body.decode())
    assert hints["f-born"].startswith("تاریخ تولد، به صورت")
    # The example a reference's or a date's hint ends with, as it is typed.
    assert re.search(r'، مانند <bdi lang="en" dir="ltr">[0-9-]+</bdi>$', hints["f-born"])
    assert hints["f-sources-0-source"].startswith("منبعی")
    english = _hints(dir_client.http.get("/contribute?kind=person").body.decode())
    assert english["f-born"].startswith("<span>Date of birth, as EDTF, such as ")
