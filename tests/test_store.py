"""Contract tests for chalicelib.store: the same behaviour from a folder and from S3.

S3 runs against moto's in-process ``mock_aws`` with fake credentials; nothing here
touches the network.
"""

import subprocess
import sys
import threading
import types
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from chalicelib.errors import (
    ObjectExists,
    ObjectMissing,
    ObjectTruncated,
    StoreError,
    StoreUnavailable,
)
from chalicelib.store import DirStore, S3Store, classify_client_error, open_store

# Distinctive, so a leak into an error message cannot hide.
BUCKET = "secret-bucket-1988-test"
PREFIX = "stage/data"
REPO = Path(__file__).resolve().parent.parent
MANIFEST = "releases/20261127-3f9a1c2b/manifest.json"


@pytest.fixture
def s3_store(aws):
    """An S3Store over a fresh moto bucket, under a prefix."""
    store = open_store(f"s3://{BUCKET}/{PREFIX}")
    store.client.create_bucket(Bucket=BUCKET)
    return store


# The `aws`, `dir_store` and `store` fixtures come from conftest.py; this module
# overrides `s3_store` to use its own distinctive bucket and prefix.


class _RawBody:
    """The minimal raw-response shape botocore's AWSResponse reads a body from."""

    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_kwargs):
        yield self._body


def _no_backoff(monkeypatch):
    # botocore sleeps between retries (up to seconds); the attempts matter, not the wait.
    import botocore.endpoint

    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=lambda _s: None))


# --- the contract, over both backends -------------------------------------------------


def test_get_returns_the_bytes_put_stored(store):
    store.put(MANIFEST, b'{"version": "20261127-3f9a1c2b"}')
    assert store.get(MANIFEST) == b'{"version": "20261127-3f9a1c2b"}'


def test_put_replaces_an_existing_object(store):
    store.put("current.json", b'{"version": "a"}')
    store.put("current.json", b'{"version": "b"}')
    assert store.get("current.json") == b'{"version": "b"}'


def test_get_of_a_missing_key_raises_object_missing_naming_the_relative_key(store):
    with pytest.raises(ObjectMissing) as caught:
        store.get("releases/none/manifest.json")
    assert caught.value.key == "releases/none/manifest.json"
    assert BUCKET not in str(caught.value) and PREFIX not in str(caught.value)


def test_get_counts_reads(store):
    store.put("current.json", b"{}")
    store.get("current.json")
    with pytest.raises(ObjectMissing):
        store.get("missing.json")
    assert store.reads == 2


CHUNK = "releases/20261127-3f9a1c2b/index/places/records-00000.jsonl"
CHUNK_BYTES = b'{"id":"evin-prison"}\n{"id":"tehran"}\n'


def test_get_range_returns_exactly_the_bytes_asked_for(store):
    store.put(CHUNK, CHUNK_BYTES)
    assert store.get_range(CHUNK, 21, 15) == b'{"id":"tehran"}'
    assert store.get_range(CHUNK, 0, 1) == b"{"
    assert store.get_range(CHUNK, 0, len(CHUNK_BYTES)) == CHUNK_BYTES


def test_get_range_counts_one_read_each(store):
    store.put(CHUNK, CHUNK_BYTES)
    store.get_range(CHUNK, 0, 20)
    with pytest.raises(ObjectMissing):
        store.get_range("missing.jsonl", 0, 20)
    assert store.reads == 2


def test_get_range_of_a_missing_key_raises_object_missing_naming_the_relative_key(store):
    with pytest.raises(ObjectMissing) as caught:
        store.get_range(CHUNK, 0, 20)
    assert caught.value.key == CHUNK
    assert BUCKET not in str(caught.value) and PREFIX not in str(caught.value)


@pytest.mark.parametrize(
    "start, length",
    [
        (21, 17),  # runs one byte past the end
        (len(CHUNK_BYTES) - 1, 10),  # starts on the last byte
        (len(CHUNK_BYTES), 1),  # starts at the end
        (1000, 5),  # starts far past it
    ],
)
def test_get_range_past_the_end_of_the_object_raises_object_truncated(store, start, length):
    store.put(CHUNK, CHUNK_BYTES)
    with pytest.raises(ObjectTruncated) as caught:
        store.get_range(CHUNK, start, length)
    assert caught.value.key == CHUNK
    assert BUCKET not in str(caught.value) and PREFIX not in str(caught.value)


@pytest.mark.parametrize("start, length", [(-1, 3), (0, 0), (5, -2)])
def test_get_range_refuses_an_empty_or_negative_range_without_reading(store, start, length):
    store.put(CHUNK, CHUNK_BYTES)
    with pytest.raises(ValueError):
        store.get_range(CHUNK, start, length)
    assert store.reads == 0


def test_exists_is_true_only_for_a_stored_object(store):
    store.put(MANIFEST, b"{}")
    assert store.exists(MANIFEST)
    assert not store.exists("current.json")
    assert not store.exists("releases/20261127-3f9a1c2b")  # a folder is not an object


def test_put_if_absent_writes_a_new_object_and_returns_true(store):
    assert store.put_if_absent(MANIFEST, b"v1", "application/json") is True
    assert store.get(MANIFEST) == b"v1"


def test_put_if_absent_with_identical_bytes_returns_false(store):
    store.put_if_absent(MANIFEST, b"v1", "application/json")
    assert store.put_if_absent(MANIFEST, b"v1", "application/json") is False


def test_put_if_absent_with_different_bytes_raises_and_keeps_the_original(store):
    store.put_if_absent(MANIFEST, b"v1", "application/json")
    with pytest.raises(ObjectExists) as caught:
        store.put_if_absent(MANIFEST, b"v2", "application/json")
    assert caught.value.key == MANIFEST and BUCKET not in str(caught.value)
    assert store.get(MANIFEST) == b"v1"


def test_list_yields_keys_sorted_and_scoped_to_the_prefix(store):
    for key in [
        "releases/2/b.json",
        "current.json",
        "releases/1/z/y.json",
        "releases/1/a.json",
        "releases/10/a.json",
        "releasesX/a.json",
    ]:
        store.put(key, b"{}")
    assert list(store.list("releases/1/")) == ["releases/1/a.json", "releases/1/z/y.json"]
    # A prefix is a string prefix, as on S3, not a folder name.
    assert list(store.list("releases/1")) == [
        "releases/1/a.json",
        "releases/1/z/y.json",
        "releases/10/a.json",
    ]
    assert list(store.list()) == sorted(list(store.list()))
    assert len(list(store.list())) == 6


def test_list_of_an_absent_prefix_is_empty(store):
    assert list(store.list("releases/")) == []


def test_delete_removes_the_object_and_tolerates_a_missing_one(store):
    store.put("tmp/part.json", b"{}")
    store.delete("tmp/part.json")
    store.delete("tmp/part.json")
    assert not store.exists("tmp/part.json")


@pytest.mark.parametrize(
    "key",
    [
        "../outside.json",
        "releases/../../outside.json",
        "/etc/passwd",
        "a/./b",
        "a//b",
        "",
        "nul\x00.json",
        "releases\\..\\x.json",
    ],
)
def test_keys_that_could_escape_the_store_are_rejected(store, key):
    with pytest.raises(ValueError):
        store.get(key)
    with pytest.raises(ValueError):
        store.put(key, b"{}")


# --- open_store -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, prefix",
    [
        ("s3://data-bucket/stage/data", "stage/data/"),
        ("s3://data-bucket/stage/data/", "stage/data/"),
        ("s3://data-bucket", ""),
        ("s3://data-bucket/", ""),
    ],
)
def test_open_store_parses_s3_urls_into_bucket_and_prefix(url, prefix):
    store = open_store(url)
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix, store.url) == ("data-bucket", prefix, url)


def test_open_store_treats_anything_without_a_scheme_as_a_folder_and_does_not_create_it(tmp_path):
    store = open_store(str(tmp_path / "new" / "store"))
    assert isinstance(store, DirStore) and store.url == str(tmp_path / "new" / "store")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    "url, scheme",
    [
        ("http://example.org/data", "http"),
        ("gs://bucket/data", "gs"),
        ("file:///tmp/x", "file"),
    ],
)
def test_open_store_rejects_other_schemes_naming_the_scheme(url, scheme):
    with pytest.raises(ValueError, match=repr(scheme)):
        open_store(url)


@pytest.mark.parametrize("url", ["", "s3://", "s3:///prefix"])
def test_open_store_rejects_an_empty_location(url):
    with pytest.raises(ValueError):
        open_store(url)


def test_importing_and_opening_an_s3_store_does_not_import_boto3():
    code = (
        "import sys; from chalicelib.store import open_store; "
        "open_store('s3://data-bucket/p'); assert 'boto3' not in sys.modules, 'boto3'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# --- DirStore specifics ---------------------------------------------------------------


def test_dir_store_local_path_is_the_file_under_the_root(dir_store):
    dir_store.put(MANIFEST, b"{}")
    path = dir_store.local_path(MANIFEST)
    assert path == dir_store.root / "releases" / "20261127-3f9a1c2b" / "manifest.json"
    assert path.read_bytes() == b"{}"


def test_dir_store_local_path_rejects_traversal(dir_store):
    for key in ("../x", "/abs", "a/../../x", "a\\b", "a\x00b"):
        with pytest.raises(ValueError):
            dir_store.local_path(key)


def test_dir_store_has_no_presigned_url(dir_store):
    assert dir_store.presigned_url(MANIFEST) is None


def test_dir_store_writes_leave_no_temp_files(dir_store):
    dir_store.put(MANIFEST, b"{}")
    dir_store.put_if_absent(MANIFEST, b"{}")
    with pytest.raises(ObjectExists):
        dir_store.put_if_absent(MANIFEST, b"other")
    folder = dir_store.local_path(MANIFEST).parent
    assert [p.name for p in folder.iterdir()] == ["manifest.json"]


def test_dir_store_lists_skip_a_write_in_progress(dir_store):
    dir_store.put("current.json", b"{}")
    (dir_store.root / ".tmp-0123456789abcdef").write_bytes(b"half")
    assert list(dir_store.list()) == ["current.json"]


def test_dir_store_put_if_absent_lets_exactly_one_of_racing_writers_win(dir_store):
    barrier = threading.Barrier(8)
    outcomes = {}

    def write(n):
        barrier.wait()
        try:
            outcomes[n] = dir_store.put_if_absent(MANIFEST, f"writer {n}".encode())
        except ObjectExists:
            outcomes[n] = "exists"

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for n, outcome in outcomes.items() if outcome is True]
    assert len(winners) == 1
    assert list(outcomes.values()).count("exists") == 7
    assert dir_store.get(MANIFEST) == f"writer {winners[0]}".encode()


# --- S3Store specifics ----------------------------------------------------------------


def test_s3_store_keeps_objects_under_its_prefix_only(s3_store):
    s3_store.put("current.json", b"{}")
    s3_store.client.put_object(Bucket=BUCKET, Key="other/current.json", Body=b"x")
    keys = [o["Key"] for o in s3_store.client.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert f"{PREFIX}/current.json" in keys
    assert list(s3_store.list()) == ["current.json"]


def test_s3_store_put_sets_the_content_type(s3_store):
    s3_store.put("schemas/person.json", b"{}", "application/schema+json")
    head = s3_store.client.head_object(Bucket=BUCKET, Key=f"{PREFIX}/schemas/person.json")
    assert head["ContentType"] == "application/schema+json"


def test_s3_store_list_follows_pagination_past_1000_keys(s3_store):
    # Into moto's bucket directly: 1,005 PUT requests through boto3 would cost seconds, and
    # what is under test is the listing.
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    backend.get_bucket(BUCKET)  # the bucket s3_store made: fails if the account were another
    for n in range(1005):
        backend.put_object(BUCKET, f"{PREFIX}/records/p{n:04d}.json", b"")
    pages = []
    s3_store.client.meta.events.register(
        "after-call.s3.ListObjectsV2", lambda **kwargs: pages.append(1)
    )
    keys = list(s3_store.list("records/"))
    assert keys == [f"records/p{n:04d}.json" for n in range(1005)]
    assert len(pages) == 2


def test_s3_presigned_url_names_exactly_one_key_and_expires_within_900_seconds(s3_store):
    url = urlsplit(s3_store.presigned_url(MANIFEST))
    query = parse_qs(url.query)
    # Virtual-hosted or path-style: either way the path is that one object's key.
    assert unquote(url.path) in (f"/{PREFIX}/{MANIFEST}", f"/{BUCKET}/{PREFIX}/{MANIFEST}")
    assert "prefix" not in query and "list-type" not in query
    assert 0 < int(query["X-Amz-Expires"][0]) <= 900


def test_s3_presigned_url_honours_a_shorter_expiry(s3_store):
    query = parse_qs(urlsplit(s3_store.presigned_url(MANIFEST, expires_in=60)).query)
    assert query["X-Amz-Expires"] == ["60"]


@pytest.mark.parametrize("seconds", [901, 3600, 0, -1])
def test_s3_presigned_url_refuses_an_expiry_outside_1_to_900_seconds(s3_store, seconds):
    with pytest.raises(ValueError):
        s3_store.presigned_url(MANIFEST, expires_in=seconds)


def test_s3_store_with_an_injected_client_uses_it(s3_store):
    injected = S3Store(BUCKET, PREFIX, client=s3_store.client)
    s3_store.put("current.json", b"{}")
    assert injected.client is s3_store.client
    assert injected.get("current.json") == b"{}"


# Whole-object and ranged reads fail alike.
READS = {
    "get": lambda store: store.get(MANIFEST),
    "get_range": lambda store: store.get_range(MANIFEST, 0, 2),
}


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("status, code", [(503, "SlowDown"), (500, "InternalError")])
def test_s3_throttling_and_5xx_become_store_unavailable_after_bounded_attempts(
    s3_store, monkeypatch, status, code, read
):
    from botocore.awsrequest import AWSResponse

    _no_backoff(monkeypatch)
    attempts = []
    body = (
        f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
        f"<Message>Please reduce your request rate.</Message>"
        f"<BucketName>{BUCKET}</BucketName></Error>"
    ).encode()

    def fail(request, **_kwargs):
        attempts.append(request.url)
        return AWSResponse(request.url, status, {}, _RawBody(body))

    # register_first: moto also answers before-send, and the first answer wins.
    s3_store.client.meta.events.register_first("before-send.s3.GetObject", fail)
    with pytest.raises(StoreUnavailable) as caught:
        READS[read](s3_store)
    assert len(attempts) == 3
    assert BUCKET not in str(caught.value) and caught.value.retry_after >= 1


@pytest.mark.parametrize("read", READS)
def test_s3_read_timeouts_become_store_unavailable_after_bounded_attempts(
    s3_store, monkeypatch, read
):
    from botocore.exceptions import ReadTimeoutError

    _no_backoff(monkeypatch)
    attempts = []

    def time_out(request, **_kwargs):
        attempts.append(request.url)
        raise ReadTimeoutError(endpoint_url=request.url)

    s3_store.client.meta.events.register_first("before-send.s3.GetObject", time_out)
    with pytest.raises(StoreUnavailable) as caught:
        READS[read](s3_store)
    assert len(attempts) == 3
    assert BUCKET not in str(caught.value)


def test_s3_get_range_is_one_get_with_an_http_range_header(s3_store):
    s3_store.put(CHUNK, CHUNK_BYTES)
    sent = []
    s3_store.client.meta.events.register_first(
        "before-send.s3.GetObject", lambda request, **_kwargs: sent.append(request.headers["Range"])
    )
    assert s3_store.get_range(CHUNK, 21, 15) == b'{"id":"tehran"}'
    assert sent == [b"bytes=21-35"]


def test_s3_after_a_failed_ranged_read_the_store_fails_fast_without_calling_s3(
    s3_store, monkeypatch
):
    from botocore.exceptions import ReadTimeoutError

    _no_backoff(monkeypatch)
    s3_store.put(CHUNK, CHUNK_BYTES)
    attempts = []

    def time_out(request, **_kwargs):
        attempts.append(request.url)
        raise ReadTimeoutError(endpoint_url=request.url)

    s3_store.clock = lambda: 1000.0
    s3_store.client.meta.events.register_first("before-send.s3.GetObject", time_out)
    with pytest.raises(StoreUnavailable):
        s3_store.get_range(CHUNK, 0, 20)
    with pytest.raises(StoreUnavailable):
        s3_store.get_range(CHUNK, 0, 20)
    assert len(attempts) == 3


def test_s3_client_is_created_lazily_and_reused(aws):
    store = open_store(f"s3://{BUCKET}/{PREFIX}")
    assert store._s3 is None
    assert store.client is store.client


def test_s3_client_uses_bounded_retries_and_timeouts(aws):
    config = open_store(f"s3://{BUCKET}").client.meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert (config.connect_timeout, config.read_timeout) == (1, 2)
    assert config.max_pool_connections == 32


def test_s3_client_region_prefers_aws_region_then_default_then_us_east_1(aws, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert open_store(f"s3://{BUCKET}").client.meta.region_name == "eu-west-1"
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert open_store(f"s3://{BUCKET}").client.meta.region_name == "eu-central-1"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert open_store(f"s3://{BUCKET}").client.meta.region_name == "us-east-1"


def test_s3_client_follows_the_standard_aws_endpoint_url(aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    assert open_store(f"s3://{BUCKET}").client.meta.endpoint_url == "http://127.0.0.1:5999"


# --- classify_client_error ------------------------------------------------------------


def _client_error(code, status):
    from botocore.exceptions import ClientError

    return ClientError(
        {
            "Error": {"Code": code, "Message": f"bucket {BUCKET}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "GetObject",
    )


@pytest.mark.parametrize(
    "code, status, expected",
    [
        ("NoSuchKey", 404, ObjectMissing),
        ("404", 404, ObjectMissing),
        ("SlowDown", 503, StoreUnavailable),
        ("503", 503, StoreUnavailable),
        ("InternalError", 500, StoreUnavailable),
        ("RequestTimeout", 400, StoreUnavailable),
        ("Throttling", 400, StoreUnavailable),
        ("AccessDenied", 403, StoreError),
    ],
)
def test_classify_client_error_maps_s3_codes_to_domain_errors(code, status, expected):
    error = classify_client_error(_client_error(code, status), "current.json")
    assert type(error) is expected
    assert BUCKET not in str(error)


def test_classify_client_error_maps_connection_failures_to_store_unavailable():
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

    for exc in (
        ConnectTimeoutError(endpoint_url=f"https://{BUCKET}.s3.amazonaws.com"),
        ReadTimeoutError(endpoint_url=f"https://{BUCKET}.s3.amazonaws.com"),
        EndpointConnectionError(endpoint_url=f"https://{BUCKET}.s3.amazonaws.com"),
    ):
        error = classify_client_error(exc)
        assert type(error) is StoreUnavailable and BUCKET not in str(error)


def test_purge_removes_the_object_and_leaves_its_neighbours(store):
    store.put("releases/a/files/x.csv", b"old")
    store.put("releases/a/files/x.csv.gz", b"neighbour")
    store.purge("releases/a/files/x.csv")
    assert not store.exists("releases/a/files/x.csv")
    assert store.get("releases/a/files/x.csv.gz") == b"neighbour"
    store.purge("releases/a/files/never-written.csv")  # nothing there: nothing to do


def test_purge_removes_every_version_in_a_versioned_bucket(s3_store):
    client = s3_store.client
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    key = "releases/a/files/x.csv"
    for body in (b"first", b"second", b"third"):
        s3_store.put(key, body)
    s3_store.delete(key)  # a delete marker: the versions stay restorable
    s3_store.put("releases/a/files/x.csv.gz", b"neighbour")
    full = f"{PREFIX}/{key}"

    def versions(name: str) -> list[dict]:
        listed = client.list_object_versions(Bucket=BUCKET, Prefix=name)
        return [
            v
            for v in listed.get("Versions", []) + listed.get("DeleteMarkers", [])
            if v["Key"] == name
        ]

    assert len(versions(full)) == 4
    s3_store.purge(key)
    assert versions(full) == []
    assert len(versions(f"{full}.gz")) == 1
