"""The scheduled fixity audit: a Lambda function, started once a week by an EventBridge rule
(.chalice/template-resources.json), that re-hashes every object of every published release
against its manifest, with read-only access to the bucket.

Its report is one JSON line in its log group (operators read it in CloudWatch Logs, or with
``aws logs tail``); a problem also makes the invocation fail, which raises the stack's
``FixityAuditAlarm``. docs/integrity.md says how to read the report and what to do.

Signatures are not checked here: that needs the repository's KEYS and a signing library the
function does not carry. The digests it checks chain up to ``releases.json``; the signatures
on that chain are what ``python -m chalicelib verify --store`` checks, run by anyone.
"""

from __future__ import annotations

import json
import os
from typing import Any

from chalicelib.release.verify import as_json, as_text, verify_store
from chalicelib.store import open_store

STORE_ENV = "DATASET_STORE"


class FixityFailure(Exception):
    """The audit found a problem; the message is the report's summary line."""


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Audit the store in $DATASET_STORE. An event may ask for a sample:
    ``{"sample": 200, "seed": 7}`` (a quick run started by hand); the schedule audits all."""
    options = event if isinstance(event, dict) else {}
    sample = options.get("sample")
    report = verify_store(
        open_store(os.environ[STORE_ENV]),
        None,
        sample=int(sample) if sample else None,
        seed=int(options.get("seed", 0)),
        label=STORE_ENV,  # never the bucket's name in a log line
    )
    result = as_json(report)
    print(json.dumps({"fixity_audit": result}, ensure_ascii=False, sort_keys=True))
    if not report.ok:
        raise FixityFailure(as_text(report).splitlines()[0])
    return {"valid": True, "checked": report.checked, "notes": report.notes}
