"""The one AWS fake every test uses: moto's in-process S3 with distinctive fake credentials.

No real configuration, profile or endpoint is read, so nothing can reach AWS. Requests are
signed with the fake key below rather than moto's own (``mock_credentials`` off), so a leak
of the key id, the secret or the token into an answer or a log would be visible.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator

import pytest

# Distinctive, so that a leak of any of them cannot hide among ordinary words.
FAKE_KEY_ID = "ASIAHARDENINGTEST7C1"
FAKE_SECRET = "hardening/secret+7c1e0f/do-not-leak"
FAKE_TOKEN = "hardening-session-token-7c1e0f"
REGION = "us-east-1"


@functools.cache
def _shared_loader(search_path: str | None):
    """One botocore data loader per process and search path.

    The store makes each S3 client from a session of its own, and a session's loader reads
    and parses botocore's JSON models (endpoints, partitions, the S3 API) again, about three
    megabytes, which in a test that opens a store costs more than the test. The files are
    read-only, so one loader serves every session the tests make."""
    from botocore.loaders import create_loader

    return create_loader(search_path)


@contextlib.contextmanager
def fake_aws() -> Iterator[None]:
    """moto intercepting S3, with the fake credentials set and every real setting removed."""
    import botocore.session
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session, "create_loader", _shared_loader)
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_REGION"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
        patch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
        patch.setenv("AWS_SESSION_TOKEN", FAKE_TOKEN)
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        with mock_aws(config={"core": {"mock_credentials": False}}):
            yield


def put_in_moto(store, objects: Iterable[tuple[str, bytes, str]]) -> None:
    """Put (key, bytes, content type) objects into the moto bucket behind an S3Store, directly
    in moto's backend: what ``store.put`` leaves there, without a signed request for each,
    which is most of the cost of filling a bucket for a test."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    backend.get_bucket(store.bucket)  # the bucket the store's client sees, or an error
    for key, body, content_type in objects:
        stored = backend.put_object(store.bucket, store.prefix + key, body)
        stored.set_metadata({"Content-Type": content_type})
