"""`python -m chalicelib verify`: a good copy passes; each kind of damage has its own message
and exit code, for a release folder, a downloaded file, a store (moto too) and the API."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from chalicelib.cli import main
from chalicelib.release.layout import (
    CURRENT_KEY,
    MANIFEST,
    RELEASES_KEY,
    canonical_json,
    release_prefix,
)
from chalicelib.release.publish import publish
from chalicelib.release.verify import PROBLEMS
from chalicelib.store import open_store
from support.signing import make_key

pytestmark = pytest.mark.release

EXIT = {kind: code for kind, (code, _) in PROBLEMS.items()}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A store with one release signed by a throw-away key; copied afresh for each test."""
    from support.minidata import RELEASE_EPOCH, mini, with_tombstones, write

    root = tmp_path_factory.mktemp("verify")
    key = make_key(root / "keys")
    data = write(with_tombstones(mini()), root / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(RELEASE_EPOCH))
        version = publish(open_store(str(root / "store")), data, signer=key.signer).version
    return root / "store", version, key


@pytest.fixture
def store(published, tmp_path):
    source, version, key = published
    copy = tmp_path / "store"
    shutil.copytree(source, copy)
    return copy, version, key


def verify(*args, keys):
    return CliRunner().invoke(main, ["verify", *map(str, args), "--keys", str(keys)])


def test_a_good_release_folder_verifies(store):
    root, version, key = store
    result = verify(root / release_prefix(version), keys=key.keys)
    assert result.exit_code == 0, result.output
    assert ": verified: " in result.output
    assert "1 signatures held" in result.output


def _problem(result, kind):
    assert result.exit_code == EXIT[kind], result.output
    assert f"[{kind}]" in result.output
    return result.output


def test_a_changed_byte_is_reported_with_its_file(store):
    root, version, key = store
    target = root / release_prefix(version) / "files" / "people.csv"
    body = bytearray(target.read_bytes())
    body[-2] ^= 1
    target.write_bytes(bytes(body))
    out = _problem(verify(root / release_prefix(version), keys=key.keys), "changed")
    assert "files/people.csv" in out and "is not the manifest's" in out


def test_a_missing_file_is_reported(store):
    root, version, key = store
    (root / release_prefix(version) / "files" / "all.sqlite").unlink()
    out = _problem(verify(root / release_prefix(version), keys=key.keys), "missing")
    assert "files/all.sqlite" in out


def test_an_extra_file_is_reported(store):
    root, version, key = store
    (root / release_prefix(version) / "files" / "readme.txt").write_text("added later")
    out = _problem(verify(root / release_prefix(version), keys=key.keys), "extra")
    assert "files/readme.txt" in out and "does not name" in out


def test_a_bad_signature_is_reported(store):
    root, version, key = store
    manifest = root / release_prefix(version) / MANIFEST
    doc = json.loads(manifest.read_bytes())
    doc["title"] += " (edited)"
    manifest.write_bytes(canonical_json(doc))
    out = _problem(verify(root / release_prefix(version), keys=key.keys), "bad-signature")
    assert "does not match these bytes" in out


def test_an_unknown_key_is_reported(store, tmp_path):
    root, version, _ = store
    stranger = make_key(tmp_path / "stranger")
    out = _problem(verify(root / release_prefix(version), keys=stranger.keys), "unknown-key")
    assert "signed by a key KEYS does not list: SHA256:" in out


def test_an_unsigned_release_is_reported(store):
    root, version, key = store
    (root / release_prefix(version) / "manifest.json.sig").unlink()
    _problem(verify(root / release_prefix(version), keys=key.keys), "unsigned")


def test_one_downloaded_file_verifies_against_its_manifest(store, tmp_path):
    root, version, key = store
    folder = root / release_prefix(version)
    download = tmp_path / "people.csv"
    shutil.copy(folder / "files" / "people.csv", download)
    result = verify(download, "--manifest", folder / MANIFEST, keys=key.keys)
    assert result.exit_code == 0, result.output
    download.write_bytes(download.read_bytes() + b"\n")
    _problem(verify(download, "--manifest", folder / MANIFEST, keys=key.keys), "changed")


def test_json_and_github_formats(store):
    root, version, key = store
    (root / release_prefix(version) / "files" / "all.sqlite").unlink()
    result = verify(root / release_prefix(version), "--format", "json", keys=key.keys)
    report = json.loads(result.output)
    assert report["valid"] is False and report["exit_code"] == EXIT["missing"]
    assert report["problems"][0]["kind"] == "missing"
    github = verify(root / release_prefix(version), "--format", "github", keys=key.keys)
    assert github.output.startswith("::error file=")
    assert "title=missing::" in github.output


def test_a_whole_store_verifies_and_a_rolled_back_pointer_is_stale(store):
    root, _, key = store
    assert verify("--store", root, keys=key.keys).exit_code == 0
    pointer = json.loads((root / CURRENT_KEY).read_bytes())
    pointer["version"] = "20000101-00000000"
    (root / CURRENT_KEY).write_bytes(canonical_json(pointer))
    result = verify("--store", root, keys=key.keys)
    # The pointer changed after signing, and names a release the signed listing does not hold.
    assert result.exit_code == EXIT["bad-signature"], result.output
    assert "[stale]" in result.output


def test_a_release_dropped_from_the_listing_is_found(store, tmp_path):
    root, _, key = store
    listing = json.loads((root / RELEASES_KEY).read_bytes())
    listing["releases"] = []
    (root / RELEASES_KEY).write_bytes(canonical_json(listing))
    result = verify("--store", root, keys=key.keys)
    assert "[bad-signature] " in result.output and "[extra]" in result.output
    assert "[stale]" in result.output


def test_a_sample_rehashes_the_chosen_files_only_and_is_repeatable(store):
    root, _, key = store
    first = verify("--store", root, "--sample", "5", "--seed", "7", keys=key.keys)
    again = verify("--store", root, "--sample", "5", "--seed", "7", keys=key.keys)
    assert first.exit_code == 0 and first.output == again.output
    assert "5 files re-hashed" in first.output and "seed 7" in first.output


def test_a_store_on_s3_is_audited_through_moto(published, aws, tmp_path):
    import boto3

    source, version, key = published
    boto3.client("s3").create_bucket(Bucket="audit")
    s3 = open_store("s3://audit/")
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        s3.put(path.relative_to(source).as_posix(), path.read_bytes())
    assert verify("--store", "s3://audit/", keys=key.keys).exit_code == 0
    s3.put(release_prefix(version) + "files/people.csv", b"replaced")
    out = _problem(verify("--store", "s3://audit/", keys=key.keys), "changed")
    assert "files/people.csv" in out


def test_usage_errors_exit_2(store):
    root, version, key = store
    assert verify(keys=key.keys).exit_code == 2
    assert verify(root, "--store", root, keys=key.keys).exit_code == 2
    assert verify(root / release_prefix(version), "--sample", "3", keys=key.keys).exit_code == 2
    lone = root / release_prefix(version) / "files" / "people.csv"
    assert "--manifest" in verify(lone, keys=key.keys).output


def test_the_api_serves_the_signed_manifest_and_verify_url_checks_its_downloads(store, tmp_path):
    """Over real HTTP, from the development server on this machine: no network."""
    import os
    import sys

    from support.localserver import fetch, free_port, running

    root, version, key = store
    port = free_port()
    env = {**os.environ, "DATASET_STORE": str(root)}
    with (
        (tmp_path / "server.log").open("w") as log,
        running(
            [sys.executable, "-m", "devserver", "--host", "127.0.0.1", "--port", str(port)],
            port,
            log,
            env,
        ) as base,
    ):
        _, _, body = fetch(base + "/dataset")
        links = json.loads(body)["signature"]
        assert links["manifest"] == f"/dataset/files/manifest.json?release={version}"
        assert (
            fetch(base + links["manifest"])[2]
            == (root / release_prefix(version) / MANIFEST).read_bytes()
        )
        result = verify("--url", base, keys=key.keys)
        assert result.exit_code == 0, result.output
        assert "1 signatures held" in result.output
        target = root / release_prefix(version) / "files" / "people.csv"
        target.write_bytes(target.read_bytes()[:-1])
        # The server checks every file against the manifest before serving it, so a changed
        # download is refused there; verify reports it as not to be had, never as good.
        _problem(verify("--url", base, keys=key.keys), "missing")
