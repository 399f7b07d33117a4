"""Redaction in the release: no artifact of a release holds a withheld value, in any form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.model.folding import fold
from chalicelib.release.dataset import Dataset
from chalicelib.release.publish import publish
from chalicelib.release.redact import search_forms
from chalicelib.store import open_store
from support.harmdata import (
    SECRETS,
    VICTIM_ALIAS,
    WITNESS_NAME,
    WITNESS_PERSIAN,
    harm_dataset,
)
from support.leaks import artifacts, leaks
from support.minidata import mini


@pytest.fixture
def harm_store(tmp_path, write_data, release_time):
    url = str(tmp_path / "store")
    publish(open_store(url), write_data(harm_dataset()))
    return url


def test_the_search_covers_the_folded_form_and_the_persian_letter_variants():
    forms = search_forms(WITNESS_PERSIAN)
    assert {fold(WITNESS_PERSIAN), "زهرا کاظمی یگانه", "زهرا كاظمي يگانه"} <= forms
    assert fold(WITNESS_NAME) in search_forms(WITNESS_NAME)


def test_no_artifact_of_a_release_holds_a_withheld_value(harm_store):
    files = artifacts(Path(harm_store))
    assert any(name.endswith("records-00000.jsonl") for name in files)
    assert any(name.endswith("search.bin") for name in files)
    assert {
        "files/people.csv",
        "files/all.jsonl.gz",
        "files/claims-sources.csv",
        "files/victims.csv",
    } <= {name.split("/", 2)[-1] for name in files}
    assert leaks(files) == []


def test_the_byte_search_finds_a_value_that_is_not_withheld(tmp_path, write_data, release_time):
    # The test above would pass vacuously if the search could not see a value at all.
    url = str(tmp_path / "store")
    publish(open_store(url), write_data(harm_dataset(withheld=False)))
    found = leaks(artifacts(Path(url)))
    for secret in SECRETS:
        assert any(s == secret for _, s in found), secret
    kinds = {name.rsplit("/", 1)[-1] for name, s in found if s == VICTIM_ALIAS}
    assert {"people.csv", "people.jsonl.gz", "all.jsonl.gz", "search.bin", "victims.csv"} <= kinds


def test_the_public_record_says_where_and_why_but_not_what(harm_store):
    release = Dataset(open_store(harm_store)).current()
    witness = json.loads(release.record("people", "witness-a").body)
    assert witness["name"] == "[withheld]"
    assert witness["names"] == []
    assert witness["withheld"] == [
        {"pointer": "/name", "reason": "no-consent"},
        {"pointer": "/names/0", "reason": "no-consent"},
        {"pointer": "/names/1", "reason": "no-consent"},
    ]
    victim = json.loads(release.record("people", "hamid-rostami").body)
    assert [n["name"] for n in victim["names"]] == ["Hamid Rostami"]
    assert "born" not in victim and victim["died"] == "1988"
    claim = json.loads(release.record("claims", "witness-a-detained-at-evin").body)
    assert "quote" not in claim["sources"][0] and claim["sources"][0]["locator"] == "p. 40"
    assert claim["withheld"] == [{"pointer": "/sources/0/quote", "reason": "safety"}]


def test_a_search_for_a_withheld_name_finds_nothing(harm_store):
    index = Dataset(open_store(harm_store)).current().collection_index("people")
    for text in (VICTIM_ALIAS, "Abolghasemi", "Kazemi", WITNESS_PERSIAN, "كاظمي"):
        assert list(index.search(text)) == [], text
    assert list(index.search("Rostami"))


def test_a_release_without_withheld_values_is_unchanged_by_redaction(
    tmp_path, write_data, release_time
):
    # Redaction hands such a record through as it is: the same object, so the same bytes.
    from chalicelib.model.kinds import BY_NAME
    from chalicelib.release.redact import public_record

    for collection, records in mini().items():
        for record in records:
            kind = next(k for k in BY_NAME.values() if k.collection == collection)
            assert public_record(kind, record) is record


def test_a_value_published_again_and_then_withheld_again_is_redacted_from_every_release(
    tmp_path, write_data, release_time
):
    # Withheld, then published again with consent, then withheld again: the release that
    # published it in between is searched and redacted too.
    store = open_store(str(tmp_path / "store"))
    versions = [
        publish(
            store, write_data(harm_dataset(withheld=w)), epoch=release_time + n * 86_400
        ).version
        for n, w in enumerate((False, True, False, True))
    ]
    assert len(set(versions)) == 4
    assert leaks(artifacts(tmp_path / "store")) == []
    register = json.loads(store.get("redactions.json"))["redactions"]
    alias = next(e for e in register if e["pointer"] == "/names/1" and "rostami" in e["record"])
    assert set(alias["withdrawn"]) == {versions[0], versions[2]}
    assert alias["redacted_in"] == versions[3]
    assert alias["searched"] == sorted(versions[:3])
    dataset = Dataset(store)
    for version in versions:
        record = json.loads(dataset.pinned(version).record("people", "hamid-rostami").body)
        assert VICTIM_ALIAS not in json.dumps(record, ensure_ascii=False), version
