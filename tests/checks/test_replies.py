"""The right of reply: a claim answering another names it in qualifiers.in_reply_to, and
denies, disputes or justifies it."""

from __future__ import annotations

import copy

import pytest

from chalicelib.checks.validate import Item, validate
from chalicelib.model.kinds import BY_NAME
from chalicelib.model.schemas import SchemaSet
from support.minidata import items, mini

SCHEMAS = SchemaSet.from_dir()

REPLY = {
    "id": "pour-mohammadi-denies-member",
    "subject": "people/mostafa-pour-mohammadi",
    "property": "member_of",
    "value": "organizations/amnesty-international",
    "qualifiers": {"in_reply_to": "claims/pour-mohammadi-member"},
    "claimed_by": "people/mostafa-pour-mohammadi",
    "stance": "denies",
    "status": "alleged",
    "confidence": "high",
    "sources": [{"source": "sources/amnesty-2018-report", "locator": "p. 4"}],
}


def check(reply):
    report = validate([Item("claim", reply, "reply")] + items(mini()), SCHEMAS)
    assert all(item.valid for item in report.items[1:])
    return [(p.pointer, p.keyword, p.message) for p in report.items[0].errors]


def test_a_reply_that_denies_an_existing_claim_is_valid():
    assert check(REPLY) == []


@pytest.mark.parametrize("stance", ["denies", "disputes", "justifies"])
def test_a_reply_may_deny_dispute_or_justify(stance):
    assert check({**REPLY, "stance": stance}) == []


def test_a_reply_that_asserts_is_refused_at_its_stance():
    (problem,) = check({**REPLY, "stance": "asserts"})
    assert problem[:2] == ("/stance", "inReplyTo")
    assert "stance is \"asserts\"; use 'denies', 'disputes' or 'justifies'" in problem[2]


def test_a_reply_to_a_claim_that_does_not_exist_is_refused():
    reply = copy.deepcopy(REPLY)
    reply["qualifiers"]["in_reply_to"] = "claims/no-such-claim"
    assert check(reply) == [
        ("/qualifiers/in_reply_to", "reference", "claims/no-such-claim does not exist")
    ]


def test_a_reply_names_a_claim_not_another_kind_of_record():
    reply = copy.deepcopy(REPLY)
    reply["qualifiers"]["in_reply_to"] = "people/mostafa-pour-mohammadi"
    ((pointer, keyword, message),) = check(reply)
    assert (pointer, keyword) == ("/qualifiers/in_reply_to", "pattern")
    assert message.startswith("expected a reference to claims, such as 'claims/<id>'")


def test_a_claim_cannot_reply_to_itself():
    reply = copy.deepcopy(REPLY)
    reply["qualifiers"]["in_reply_to"] = f"claims/{REPLY['id']}"
    assert check(reply) == [
        ("/qualifiers/in_reply_to", "inReplyTo", "a claim cannot be a reply to itself")
    ]


def test_replies_can_be_listed_by_the_claim_they_answer():
    claim = BY_NAME["claim"]
    assert claim.filter("in_reply_to").references == ("claims",)
    assert any(r.path == ("qualifiers", "in_reply_to") for r in claim.references)
