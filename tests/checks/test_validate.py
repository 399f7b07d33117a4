"""The validator: each schema rule and each cross-record check, failing and passing."""

from __future__ import annotations

import pytest

from chalicelib.checks.catalog import Catalog
from chalicelib.checks.validate import Item, validate
from chalicelib.model.schemas import SchemaSet
from support.minidata import items, mini, record
from support.rulecases import CROSS_CASES, SCHEMA_CASES, broken

SCHEMAS = SchemaSet.from_dir()


def run(dataset, catalog=None):
    return validate(items(dataset), SCHEMAS, catalog)


def result_for(report, record_id):
    return next(i for i in report.items if i.origin.endswith(f"/{record_id}.json"))


def test_mini_dataset_is_valid_with_no_warnings():
    report = run(mini())
    assert report.valid, [(i.origin, i.errors) for i in report.items if i.errors]
    assert report.warning_count == 0
    assert report.counts() == {
        "organizations": 2,
        "sources": 2,
        "people": 1,
        "places": 2,
        "events": 1,
        "claims": 3,
    }


@pytest.mark.parametrize("case", SCHEMA_CASES + CROSS_CASES, ids=lambda c: c.name)
def test_each_rule_fails_with_its_exact_pointer(case):
    dataset = mini()
    batch = items(dataset)
    broken(case, dataset)
    report = validate(batch, SCHEMAS)
    failing = [i for i in report.items if i.errors]
    assert [i.origin for i in failing] == [f"data/{case.collection}/{case.record_id}.json"]
    problems = [(p.pointer, p.keyword) for p in failing[0].errors]
    assert problems == [(case.pointer, case.keyword)]
    assert all(p.message for p in failing[0].errors)


def test_reference_into_wrong_collection_names_the_expected_collection():
    dataset = mini()
    record("sources", "amnesty-2018-report", dataset)["publisher"] = "people/mostafa-pour-mohammadi"
    problem = result_for(run(dataset), "amnesty-2018-report").errors[0]
    assert "organizations" in problem.message and "people/mostafa-pour-mohammadi" in problem.message


def test_missing_reference_hints_at_the_same_id_in_another_collection():
    dataset = mini()
    record("claims", "pour-mohammadi-member", dataset)["subject"] = "places/mostafa-pour-mohammadi"
    problem = result_for(run(dataset), "pour-mohammadi-member").errors[0]
    assert (problem.pointer, problem.keyword) == ("/subject", "reference")
    assert "people/mostafa-pour-mohammadi" in problem.message


def test_adjudicated_claim_citing_a_court_judgment_passes():
    dataset = mini()
    claim = record("claims", "amnesty-period", dataset)
    claim["status"] = "adjudicated"
    claim["sources"] = [{"source": "sources/verdict-2022"}]
    claim["claimed_by"] = "organizations/stockholm-district-court"
    assert run(dataset).valid


def test_claim_dated_within_the_month_its_source_was_published_passes():
    dataset = mini()
    record("claims", "amnesty-period", dataset)["value"] = "2018-12"
    assert run(dataset).valid


def test_open_interval_is_not_reversed():
    dataset = mini()
    record("events", "1988-prison-massacres", dataset)["date"] = "1988-07/.."
    assert run(dataset).valid


def test_record_failing_its_schema_is_still_checked_for_references():
    dataset = mini()
    person = record("people", "mostafa-pour-mohammadi", dataset)
    person["nickname"] = "x"
    person["sources"][0]["source"] = "sources/nowhere"
    keywords = {p.keyword for p in result_for(run(dataset), "mostafa-pour-mohammadi").errors}
    assert keywords == {"additionalProperties", "reference"}


def test_duplicate_claim_is_a_warning_not_an_error():
    dataset = mini()
    twin = dict(record("claims", "amnesty-victim-count", dataset), id="amnesty-victim-count-again")
    dataset["claims"].append(twin)
    report = run(dataset)
    assert report.valid
    warned = result_for(report, "amnesty-victim-count-again").warnings
    assert [(w.keyword, w.pointer) for w in warned] == [("duplicateClaim", "")]
    assert "claims/amnesty-victim-count" in warned[0].message


def test_same_id_twice_in_a_collection_is_an_error_on_the_second():
    dataset = mini()
    dataset["places"].append(dict(record("places", "tehran", dataset)))
    report = run(dataset)
    errors = [(i.index, p.keyword) for i in report.items for p in i.errors]
    assert len(errors) == 1 and errors[0][1] == "uniqueId"


def test_record_of_another_kind_in_a_folder_is_told_where_it_belongs():
    dataset = mini()
    claim = record("claims", "amnesty-period", dataset)
    item = Item("person", claim, "data/people/amnesty-period.json", expected_id="amnesty-period")
    report = validate(items(dataset) + [item], SCHEMAS)
    problem = report.items[-1].errors[0]
    assert problem.keyword == "kind" and "data/claims/" in problem.message


def test_unknown_kind_is_named():
    report = validate([Item("persons", {"id": "x"}, "item 0")], SCHEMAS)
    problem = report.items[0].errors[0]
    assert (
        problem.keyword == "kind" and "'persons'" in problem.message and "person" in problem.message
    )


def test_array_where_a_record_is_expected():
    report = validate([Item("person", [1, 2], "item 0")], SCHEMAS)
    assert [(p.pointer, p.keyword) for p in report.items[0].errors] == [("", "type")]
    assert "an array" in report.items[0].errors[0].message


def test_batch_is_checked_against_a_catalog_of_published_records():
    published = Catalog.from_items(items(mini()))
    new_claim = dict(
        record("claims", "amnesty-period"),
        id="new-claim",
        property="stated",
        value="A new statement.",
    )
    report = validate([Item("claim", new_claim, "item 0")], SCHEMAS, published)
    assert report.valid


def test_batch_may_replace_a_published_claim_without_a_duplicate_warning():
    published = Catalog.from_items(items(mini()))
    edited = dict(record("claims", "amnesty-period"), confidence="medium")
    report = validate([Item("claim", edited, "item 0")], SCHEMAS, published)
    assert report.valid and report.warning_count == 0


class TestTombstones:
    def tombstone(self, **fields):
        return {
            "id": "mostafa-pourmohammadi",
            "tombstone": {"reason": "Duplicate.", "date": "2026-11-28", **fields},
        }

    def test_merged_tombstone_into_a_live_record_is_valid(self):
        dataset = mini()
        dataset["people"].append(
            self.tombstone(action="merged", merged_into="people/mostafa-pour-mohammadi")
        )
        assert run(dataset).valid

    def test_merged_into_another_collection_is_an_error(self):
        dataset = mini()
        dataset["people"].append(self.tombstone(action="merged", merged_into="places/tehran"))
        problem = result_for(run(dataset), "mostafa-pourmohammadi").errors[0]
        assert (problem.pointer, problem.keyword) == ("/tombstone/merged_into", "mergedInto")

    def test_withdrawn_tombstone_must_not_name_a_target(self):
        dataset = mini()
        dataset["people"].append(
            self.tombstone(action="withdrawn", merged_into="people/mostafa-pour-mohammadi")
        )
        problem = result_for(run(dataset), "mostafa-pourmohammadi").errors[0]
        assert (problem.pointer, problem.keyword) == ("/tombstone", "not")

    def test_reference_to_a_withdrawn_record_is_an_error_giving_the_reason(self):
        dataset = mini()
        dataset["places"] = [p for p in dataset["places"] if p["id"] != "tehran"] + [
            {
                "id": "tehran",
                "tombstone": {"action": "withdrawn", "reason": "Unsourced.", "date": "2026-11-28"},
            }
        ]
        problem = result_for(run(dataset), "evin-prison").errors[0]
        assert (problem.pointer, problem.keyword) == ("/within", "reference")
        assert "withdrawn" in problem.message and "Unsourced." in problem.message
