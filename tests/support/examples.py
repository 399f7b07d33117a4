"""How many examples a property test tries: one setting for the whole suite.

Each property test names the number of examples it was written to try, its thorough count:
``@settings(max_examples=examples(1500))``. The everyday run (`make test`, `make test-fast`)
tries a fraction of each, so that the suite stays quick on two cores; `make test-thorough`
sets ``PROPERTY_SCALE=1`` and tries every one. Hypothesis keeps each failure it finds in
``.hypothesis/`` and replays it first on the next run, whatever the scale, so a quick run
still meets every failure a thorough run found on the same machine.
"""

from __future__ import annotations

import os

# The everyday fraction; PROPERTY_SCALE=1 is the thorough run, PROPERTY_SCALE=3 a soak.
SCALE = float(os.environ.get("PROPERTY_SCALE", "0.2"))
# However small the scale, a property test tries at least this many (or its thorough count).
FLOOR = 10
# Hypothesis's own default, for the tests that name no count.
DEFAULT = 100


def examples(thorough: int) -> int:
    """The number of examples to try now, for a test written to try ``thorough``."""
    return max(min(thorough, FLOOR), round(thorough * SCALE))
