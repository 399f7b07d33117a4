"""The schemas as a contract: well-formed, documented, closed, and portable."""

from __future__ import annotations

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from chalicelib.checks.intake import DATA_DIR, load_paths
from chalicelib.model import edtf
from chalicelib.model.kinds import KINDS
from chalicelib.model.schemas import SCHEMA_DIR, SchemaSet, schema_files
from support.minidata import KIND_OF, items, mini
from support.rulecases import SCHEMA_CASES, broken

SCHEMAS = SchemaSet.from_dir()
ALL_FILES = schema_files()


def subschemas(node, path=""):
    """Every object-shaped subschema, with a readable path to it."""
    if isinstance(node, dict):
        yield path, node
        for key, child in node.items():
            if key in ("examples", "enum", "const"):
                continue
            yield from subschemas(child, f"{path}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from subschemas(child, f"{path}/{index}")


def test_schema_dir_holds_exactly_the_registry_kinds_plus_defs_and_tombstone():
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(ALL_FILES)
    assert {kind.schema_file for kind in KINDS} <= set(ALL_FILES)


@pytest.mark.parametrize("name", ALL_FILES)
def test_schema_is_valid_2020_12_with_id_title_and_examples(name):
    schema = SCHEMAS.documents[name]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/" + name)
    assert schema["title"] and schema["description"] and schema["examples"]


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_property_has_a_description_and_every_object_is_closed(name):
    for path, node in subschemas(SCHEMAS.documents[name]):
        for prop, spec in (
            node.get("properties", {}).items() if isinstance(node.get("properties"), dict) else []
        ):
            if path.endswith("/if/properties") or "/if" in path:
                continue
            assert spec.get("description"), f"{name}{path}/properties/{prop} has no description"
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{name}{path} is not closed"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_schema_examples_are_valid_records(kind):
    validator = SCHEMAS.validators[kind.name]
    for example in SCHEMAS.document(kind.name)["examples"]:
        assert not list(validator.iter_errors(example))


def test_schema_edtf_pattern_is_the_parsers_pattern():
    assert SCHEMAS.documents["defs.schema.json"]["$defs"]["edtf"]["pattern"] == edtf.EDTF_PATTERN


def test_claim_vocabulary_gives_every_property_exactly_one_value_type():
    properties = SCHEMAS.document("claim")["properties"]["property"]["enum"]
    assert sorted(SCHEMAS.claim_value_types) == sorted(properties)
    assert SCHEMAS.claim_value_targets("member_of") == ("organizations",)
    assert SCHEMAS.claim_value_types["victim_count"] == "quantity"


# -- portability: a second, independent 2020-12 implementation agrees ------------------


def rust_validators():
    resources = [(doc["$id"], doc) for doc in SCHEMAS.documents.values()]
    registry = jsonschema_rs.Registry(resources)
    return {
        name: jsonschema_rs.Draft202012Validator(
            SCHEMAS.documents[f"{name}.schema.json"],
            registry=registry,
            validate_formats=True,
            ignore_unknown_formats=False,
        )
        for name in [k.name for k in KINDS] + ["tombstone"]
    }


RUST = rust_validators()


def verdicts(kind, rec):
    name = "tombstone" if isinstance(rec, dict) and "tombstone" in rec else kind
    return SCHEMAS.validators[name].is_valid(rec), RUST[name].is_valid(rec)


def test_second_validator_agrees_on_every_record_in_data():
    records = [i for i in load_paths([DATA_DIR]) if i.record is not None]
    assert records, "data/ holds no records"
    disagreements = [i.origin for i in records if len(set(verdicts(i.kind, i.record))) != 1]
    assert disagreements == []


def test_second_validator_agrees_on_the_mini_dataset():
    for item in items(mini()):
        assert verdicts(item.kind, item.record) == (True, True), item.origin


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda c: c.name)
def test_second_validator_agrees_on_every_invalid_fixture(case):
    dataset = mini()
    rec = broken(case, dataset)
    assert verdicts(KIND_OF[case.collection], rec) == (False, False)


# -- each $ref looked up once (schemas.ecma_pattern_validator) ----------------------------------


def stock_validators() -> dict:
    """The same schemas and registry under jsonschema's own ``$ref`` (a lookup at each use),
    with the project's ``pattern``, so that only the way a ``$ref`` is followed differs."""
    from jsonschema import validators

    from chalicelib.model.schemas import ecma_pattern_validator

    ours = ecma_pattern_validator()
    stock = validators.extend(ours, {"$ref": Draft202012Validator.VALIDATORS["$ref"]})
    return {
        name: stock(
            SCHEMAS.documents[f"{name}.schema.json"],
            registry=SCHEMAS._registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        for name in [kind.name for kind in KINDS] + ["tombstone"]
    }


STOCK = stock_validators()


def every_error(validators: dict, name: str, rec) -> list[tuple]:
    """What a caller can read of each error: where, which keyword, the message, the schema path."""
    return [
        (e.json_path, e.validator, e.validator_value, e.message, list(e.schema_path))
        for e in validators[name].iter_errors(rec)
    ]


def test_no_schema_uses_dynamic_references_whose_target_depends_on_the_path_taken():
    for name in ALL_FILES:
        for path, node in subschemas(SCHEMAS.documents[name]):
            assert "$dynamicRef" not in node and "$dynamicAnchor" not in node, f"{name}{path}"


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda c: c.name)
def test_refs_looked_up_once_give_the_errors_a_lookup_at_each_use_gives(case):
    rec = broken(case, mini())
    name = KIND_OF[case.collection]
    found = every_error(SCHEMAS.validators, name, rec)
    assert found, "the broken record passed"
    assert found == every_error(STOCK, name, rec)


def test_refs_looked_up_once_agree_on_the_valid_and_the_damaged_mini_dataset():
    for item in items(mini()):
        rec = item.record
        name = "tombstone" if "tombstone" in rec else item.kind
        damaged = {key: 12345 for key in rec}
        for candidate in (rec, damaged):
            assert every_error(SCHEMAS.validators, name, candidate) == every_error(
                STOCK, name, candidate
            ), item.origin


def test_an_unresolvable_ref_is_jsonschemas_own_error_still():
    from jsonschema.exceptions import _WrappedReferencingError

    from chalicelib.model.schemas import ecma_pattern_validator

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "nowhere.json"}
    for validator in (ecma_pattern_validator()(schema), Draft202012Validator(schema)):
        with pytest.raises(_WrappedReferencingError, match=r"nowhere\.json"):
            list(validator.iter_errors(1))
