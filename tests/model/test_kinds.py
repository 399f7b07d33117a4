"""The registry of kinds: a kind is known by its name."""

from __future__ import annotations

import copy
import pickle

from chalicelib.model.kinds import BY_COLLECTION, BY_NAME, KINDS


def test_names_and_collections_are_unique_so_a_name_can_stand_for_its_kind():
    assert len({k.name for k in KINDS}) == len({k.collection for k in KINDS}) == len(KINDS)
    assert all(BY_NAME[k.name] is k and BY_COLLECTION[k.collection] is k for k in KINDS)


def test_a_kind_equals_and_hashes_as_a_copy_of_itself_and_no_other_kind():
    for kind in KINDS:
        twin = pickle.loads(pickle.dumps(kind))
        assert twin is not kind and twin == kind and hash(twin) == hash(kind)
        assert copy.deepcopy(kind) in set(KINDS)
        assert [k for k in KINDS if k == kind] == [kind]
    assert KINDS[0] != KINDS[0].name  # a kind is not its name
