"""The one AWS fake every test uses: moto's in-process S3 with distinctive fake credentials.

No real configuration, profile or endpoint is read, so nothing can reach AWS. Requests are
signed with the fake key below rather than moto's own (``mock_credentials`` off), so a leak
of the key id, the secret or the token into an answer or a log would be visible.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

# Distinctive, so that a leak of any of them cannot hide among ordinary words.
FAKE_KEY_ID = "ASIAHARDENINGTEST7C1"
FAKE_SECRET = "hardening/secret+7c1e0f/do-not-leak"
FAKE_TOKEN = "hardening-session-token-7c1e0f"
REGION = "us-east-1"


@contextlib.contextmanager
def fake_aws() -> Iterator[None]:
    """moto intercepting S3, with the fake credentials set and every real setting removed."""
    from moto import mock_aws

    with pytest.MonkeyPatch.context() as patch:
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
