"""The weekly fixity audit as Lambda runs it: on a moto bucket, a good store passes, and a
replaced object fails the invocation with one JSON report in the log."""

from __future__ import annotations

import json

import pytest

from chalicelib.release.audit import FixityFailure, handler
from chalicelib.store import open_store
from support.aws import FAKE_KEY_ID

pytestmark = pytest.mark.release

BUCKET = "audit-tests-1988"


@pytest.fixture
def published(aws, mini_release, monkeypatch):
    """The mini dataset (no tombstones) published to a bucket's root: a copy of one publish."""
    store = open_store(f"s3://{BUCKET}/")
    store.client.create_bucket(Bucket=BUCKET)
    release = mini_release(tombstones=False)
    release.restore(store)
    monkeypatch.setenv("DATASET_STORE", f"s3://{BUCKET}/")
    return store, release.version


def test_a_sound_store_passes_and_logs_one_report(published, capsys):
    result = handler({}, None)
    assert result["valid"] is True and result["checked"] > 50
    line = json.loads(capsys.readouterr().out)
    assert line["fixity_audit"]["valid"] is True
    assert "signatures not checked (no keys given)" in line["fixity_audit"]["notes"]


def test_a_replaced_object_fails_the_invocation_and_names_it(published, capsys):
    store, version = published
    store.put(f"releases/{version}/files/people.csv", b"someone else's file")
    with pytest.raises(FixityFailure, match="FAILED"):
        handler({}, None)
    out = capsys.readouterr().out
    problems = json.loads(out)["fixity_audit"]["problems"]
    assert [(p["kind"], p["where"]) for p in problems] == [
        ("changed", f"releases/{version}/files/people.csv")
    ]
    assert BUCKET not in out and FAKE_KEY_ID not in out


def test_a_sample_is_asked_for_in_the_event(published, capsys):
    result = handler({"sample": 10, "seed": 3}, None)
    assert result["checked"] == 10
    assert "seed 3" in " ".join(result["notes"])
