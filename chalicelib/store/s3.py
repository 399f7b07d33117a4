"""``S3Store``: a store kept in a bucket under an optional prefix (production), with bounded
retries, and botocore's errors told apart as the domain errors a caller can act on.

Like the Chalice todo-app sample, nothing here creates an AWS client at import time: this runs
in Lambda, where cold start matters, so ``boto3`` is imported and the client built the first
time an ``S3Store`` actually talks to S3.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterator

from chalicelib.errors import (
    ObjectExists,
    ObjectMissing,
    ObjectTruncated,
    StoreError,
    StoreUnavailable,
)
from chalicelib.store.base import PRESIGN_SECONDS, Store, _check_key, _check_range, _whole_range

# One S3 read may take at most ATTEMPTS x (CONNECT + READ) plus botocore's backoff between
# attempts (under 0.05 + 0.1 s for 5xx and timeouts, 1 + 2 s for throttling), plus one READ if
# the body stalls: 3 x 3 + 3 + 2 = 14 s, inside the function's 20 s timeout. AWS advises timing
# out and retrying slow S3 GETs after about 2 s, since a retry usually finds a faster path.
S3_ATTEMPTS = 3
S3_CONNECT_TIMEOUT = 1
S3_READ_TIMEOUT = 2
# After a read fails despite its retries, reads fail at once for this long: one request then
# spends at most one retry budget, however many objects it needs, and a store that is down is
# not hammered by every request. The client is told to retry after about as long.
FAIL_FAST_SECONDS = 1.0

_MISSING_CODES = {"NoSuchKey", "NotFound", "404"}
# ConditionalRequestConflict: S3's 409 when conditional writes race; retry later.
_UNAVAILABLE_CODES = {
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestTimeout",
    "InternalError",
    "ServiceUnavailable",
    "RequestLimitExceeded",
    "500",
    "503",
    "ConditionalRequestConflict",
}


_log = logging.getLogger(__name__)


def classify_client_error(exc: BaseException, key: str = "") -> StoreError:
    """Map a botocore error to the domain error the caller can act on.

    ``NoSuchKey``/404 become ObjectMissing(key); throttling, 5xx and connection or
    read timeouts become StoreUnavailable; anything else is a plain StoreError. The
    message never repeats the bucket name or S3's own text, since it reaches API users.
    """
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _MISSING_CODES:
            return ObjectMissing(key)
        if code == "InvalidRange":  # 416: the range starts at or past the object's end
            return ObjectTruncated(key)
        if code in _UNAVAILABLE_CODES or status >= 500:
            return StoreUnavailable()
        # S3 codes are short CamelCase tokens; anything else is dropped, not echoed.
        safe = code if re.fullmatch(r"[A-Za-z0-9]{1,64}", code) else "an error"
        return StoreError(f"the dataset store refused the request ({safe})")
    # ConnectTimeoutError and EndpointConnectionError are ConnectionErrors;
    # ReadTimeoutError and ConnectionClosedError are HTTPClientErrors.
    if isinstance(exc, (ConnectionError, HTTPClientError)):
        return StoreUnavailable()
    return StoreError("the dataset store could not be used")


@contextlib.contextmanager
def _translated(key: str):
    """Re-raise botocore errors inside the block as domain errors about ``key``."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise classify_client_error(exc, key) from exc


class S3Store(Store):
    """A store kept in an S3 bucket under an optional prefix."""

    def __init__(self, bucket: str, prefix: str = "", *, client=None, url: str | None = None):
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        self.bucket = bucket
        self.prefix = _check_key(prefix, prefix=True)
        self.url = url if url is not None else f"s3://{bucket}/{self.prefix}"
        self.reads = 0
        self._s3 = client
        self._lock = threading.Lock()
        self.clock = time.monotonic
        self._failing_until = 0.0

    @property
    def client(self):
        """The boto3 S3 client, created on first use and then reused."""
        if self._s3 is None:
            # chalice local serves from threads; build the client only once.
            with self._lock:
                if self._s3 is None:
                    self._s3 = _new_s3_client()
        return self._s3

    def _full(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def get(self, key: str) -> bytes:
        """Return the object's bytes: ObjectMissing if there is none, StoreUnavailable if S3
        failed every attempt (or did, less than FAIL_FAST_SECONDS ago)."""
        return self._get_object(key)

    def get_range(self, key: str, start: int, length: int) -> bytes:
        """Return a byte range of the object (one ranged GET), failing as ``get`` does."""
        _check_range(start, length)
        body = self._get_object(key, Range=f"bytes={start}-{start + length - 1}")
        return _whole_range(key, body, length)

    def _get_object(self, key: str, **options: str) -> bytes:
        full = self._full(key)
        if self.clock() < self._failing_until:
            raise StoreUnavailable()
        self.reads += 1
        try:
            with _translated(key):  # covers the body read too, which can time out mid-stream
                return self.client.get_object(Bucket=self.bucket, Key=full, **options)[
                    "Body"
                ].read()
        except StoreUnavailable:
            self._failing_until = self.clock() + FAIL_FAST_SECONDS
            raise

    def put(self, key: str, body: bytes, content_type: str = "application/json") -> None:
        """Write the object; a single S3 PUT is already atomic for readers."""
        full = self._full(key)
        with _translated(key):
            self.client.put_object(
                Bucket=self.bucket, Key=full, Body=body, ContentType=content_type
            )

    def put_if_absent(self, key: str, body: bytes, content_type: str = "application/json") -> bool:
        """Write once with a conditional PUT (If-None-Match: *), which S3 arbitrates."""
        from botocore.exceptions import ClientError

        full = self._full(key)
        with _translated(key):
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=full,
                    Body=body,
                    ContentType=content_type,
                    IfNoneMatch="*",
                )
                return True
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "PreconditionFailed":
                    raise
        # 412: something is already there; only identical bytes count as done.
        if self.get(key) == body:
            return False
        raise ObjectExists(key)

    def get_tagged(self, key: str) -> tuple[bytes, str] | None:
        """The bytes and their ETag, from one GET."""
        full = self._full(key)
        self.reads += 1
        try:
            with _translated(key):
                answer = self.client.get_object(Bucket=self.bucket, Key=full)
                return answer["Body"].read(), answer["ETag"]
        except ObjectMissing:
            return None

    def put_if_tag(
        self, key: str, body: bytes, tag: str | None, content_type: str = "application/json"
    ) -> bool:
        """A conditional PUT: If-Match on the ETag read, or If-None-Match: * to create.
        S3 answers 412 when the object changed (or appeared), 409 when writes race, and
        404 when it was deleted; each means another writer got there first."""
        from botocore.exceptions import BotoCoreError, ClientError

        condition = {"IfMatch": tag} if tag is not None else {"IfNoneMatch": "*"}
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._full(key),
                Body=body,
                ContentType=content_type,
                **condition,
            )
            return True
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "412"):
                return False
            raise classify_client_error(exc, key) from exc
        except BotoCoreError as exc:
            raise classify_client_error(exc, key) from exc

    def exists(self, key: str) -> bool:
        """Return whether an object is stored under ``key`` (one HEAD request)."""
        full = self._full(key)
        try:
            with _translated(key):
                self.client.head_object(Bucket=self.bucket, Key=full)
            return True
        except ObjectMissing:
            return False

    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys that start with ``prefix``, sorted, one ListObjectsV2 page at a time."""
        # Validate now, not on the first next(), so a bad prefix fails where it is passed.
        return self._keys(self.prefix + _check_key(prefix, prefix=True), prefix)

    def _keys(self, full_prefix: str, prefix: str) -> Iterator[str]:
        with _translated(prefix):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=full_prefix
            )
            # S3 already returns keys in UTF-8 byte order, which is code point order.
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"][len(self.prefix) :]

    def delete(self, key: str) -> None:
        """Remove the object if present (S3 deletes are idempotent)."""
        full = self._full(key)
        with _translated(key):
            self.client.delete_object(Bucket=self.bucket, Key=full)

    def purge(self, key: str) -> None:
        """Delete every version and delete marker of exactly ``key`` in a versioned bucket
        (the publisher's s3:ListBucketVersions and s3:DeleteObjectVersion; never the API's).

        The bucket's Object Lock keeps every version of a release for a time, in governance
        mode; a redaction is the one thing allowed through it (s3:BypassGovernanceRetention,
        a permission of its own: docs/integrity.md), and every bypass is logged here, as
        CloudTrail logs it on the bucket's side."""
        full = self._full(key)
        with _translated(key):
            paginator = self.client.get_paginator("list_object_versions")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                doomed = [
                    {"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
                    if v["Key"] == full
                ]
                if doomed:
                    # An unversioned bucket lists its objects as version "null": they go too.
                    answer = self.client.delete_objects(
                        Bucket=self.bucket,
                        Delete={"Objects": doomed, "Quiet": True},
                        BypassGovernanceRetention=True,
                    )
                    if answer.get("Errors"):
                        codes = sorted({e.get("Code", "?") for e in answer["Errors"]})
                        raise StoreError(
                            f"could not delete every version of {key!r} ({', '.join(codes)}); "
                            "purging a locked release needs s3:BypassGovernanceRetention"
                        )
                    _log.warning(
                        "redaction: purged %d versions of %s, bypassing governance retention",
                        len(doomed),
                        key,
                    )

    def presigned_url(self, key: str, expires_in: int = PRESIGN_SECONDS) -> str:
        """Return a presigned GET URL for exactly ``key``, valid ``expires_in`` ≤ 900 s."""
        if not 0 < expires_in <= PRESIGN_SECONDS:
            raise ValueError(f"expires_in must be 1..{PRESIGN_SECONDS} seconds")
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._full(key)},
            ExpiresIn=int(expires_in),
        )


def _new_s3_client():
    # Imported here, not at module top, so cold starts that never reach S3 skip boto3.
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    # botocore reads AWS_DEFAULT_REGION and profiles but not AWS_REGION, which is
    # what Lambda and the other SDKs treat as the first choice.
    region = os.environ.get("AWS_REGION") or session.region_name or "us-east-1"
    config = Config(
        # total_max_attempts counts the first try; botocore's "max_attempts" key counts
        # retries only (3 would mean 4 tries). See S3_ATTEMPTS for the worst case.
        retries={"mode": "standard", "total_max_attempts": S3_ATTEMPTS},
        connect_timeout=S3_CONNECT_TIMEOUT,
        read_timeout=S3_READ_TIMEOUT,
        max_pool_connections=32,
        # SigV4 presigned URLs carry X-Amz-Expires and work in every region.
        signature_version="s3v4",
    )
    # No endpoint_url: botocore itself honours AWS_ENDPOINT_URL(_S3), which is how
    # tests and tools point the store at a moto server.
    client = session.client("s3", region_name=region, config=config)
    client.meta.events.register("before-parse.s3.*", _ignore_retry_after)
    return client


def _ignore_retry_after(response_dict, **_kwargs):
    # botocore lengthens a retry's backoff by up to 5 s when a response carries
    # x-amz-retry-after. The function must give up within its timeout and answer 503 with its
    # own Retry-After, so the wait falls to the client rather than to a running Lambda.
    response_dict["headers"].pop("x-amz-retry-after", None)
