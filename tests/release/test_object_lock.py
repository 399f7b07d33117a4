"""Object Lock and do-no-harm together, on moto: every version of a release is kept in
governance mode, nothing but the redaction path gets through it, and that path still takes a
withheld value out of every version, in the bucket and in its replica in another region."""

from __future__ import annotations

import logging

import pytest

from chalicelib.release.publish import publish
from chalicelib.release.redact import needles
from chalicelib.release.verify import verify_store
from chalicelib.store import S3Store
from support.harmdata import SECRETS, harm_dataset
from support.minidata import RELEASE_EPOCH, write

pytestmark = pytest.mark.release

PRIMARY, REPLICA = "locked-dataset-1988", "locked-replica-1988"


def locked_bucket(name: str) -> S3Store:
    store = S3Store(name)
    store.client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    store.client.put_object_lock_configuration(
        Bucket=name,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}},
        },
    )
    return store


def replicate(source: S3Store, target: S3Store) -> None:
    """What S3 replication does: every new version copied (moto does not replicate)."""
    for key in source.list():
        target.put(key, source.get(key))


def every_version(store: S3Store) -> list[tuple[str, bytes]]:
    client, found = store.client, []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=store.bucket):
        for v in page.get("Versions", []):
            body = client.get_object(Bucket=store.bucket, Key=v["Key"], VersionId=v["VersionId"])
            found.append((v["Key"], body["Body"].read()))
    return found


def leaks(store: S3Store) -> list[str]:
    import gzip

    forms = [f for secret in SECRETS for f in needles([secret])]
    out = []
    for key, body in every_version(store):
        plain = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        out += [key for f in forms if f in plain]
    return sorted(set(out))


@pytest.fixture
def locked(aws, tmp_path):
    primary, replica = locked_bucket(PRIMARY), locked_bucket(REPLICA)
    first = publish(
        primary, write(harm_dataset(withheld=False), tmp_path / "d1"), epoch=RELEASE_EPOCH
    )
    replicate(primary, replica)
    return primary, replica, first.version, tmp_path


def test_a_locked_release_version_cannot_be_deleted_outside_the_redaction_path(locked):
    primary, _, version, _ = locked
    key = f"releases/{version}/files/people.csv"
    versions = primary.client.list_object_versions(Bucket=PRIMARY, Prefix=key)["Versions"]
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="AccessDenied"):
        primary.client.delete_object(Bucket=PRIMARY, Key=key, VersionId=versions[0]["VersionId"])
    assert primary.get(key)


def test_a_redaction_purges_every_version_in_the_bucket_and_its_replica_and_says_so(locked, caplog):
    primary, replica, first, folder = locked
    assert leaks(primary) and leaks(replica)  # the first release did publish the values
    with caplog.at_level(logging.WARNING, logger="chalicelib.store"):
        result = publish(
            primary,
            write(harm_dataset(), folder / "d2"),
            epoch=RELEASE_EPOCH + 86_400,
            replicas=[replica],
        )
    assert result.purged > 10
    assert leaks(primary) == [] and leaks(replica) == []
    bypasses = [r.getMessage() for r in caplog.records if "bypassing governance" in r.getMessage()]
    assert len(bypasses) == 2 * result.purged
    assert all(f"releases/{first}/" in m for m in bypasses)
    # What is left verifies: the withdrawn files are absent by design, every other one intact.
    report = verify_store(primary, None)
    assert report.ok, report.problems
