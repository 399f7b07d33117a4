"""How the suite itself is shared out: under xdist's --dist loadgroup (make test), a test in an
xdist_group runs under an id ending in ``@<group>``, which is what keeps its group on one worker.
pytest 9.2 drops that suffix (requirements-dev.in says why pytest is held at 9.1)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("suite-groups")


def test_a_grouped_test_carries_its_group_in_its_id_on_an_xdist_worker(request):
    if not request.config.getoption("loadgroup", False):
        pytest.skip("runs only in an xdist worker under --dist loadgroup (make test)")
    assert request.node.nodeid.endswith("@suite-groups")
