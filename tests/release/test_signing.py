"""Signed releases: publish signs with a throw-away key, and OpenSSH's own ssh-keygen, run as
a user would with none of this project's code, accepts the signatures and refuses a change."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from chalicelib.cli import main
from chalicelib.release.layout import CURRENT_KEY, MANIFEST, RELEASES_KEY, release_prefix
from chalicelib.release.publish import publish
from chalicelib.release.signing import (
    KEY_ENV,
    KEY_FILE_ENV,
    SignatureError,
    Signer,
    read_keys,
    signer_from,
    verify,
)
from chalicelib.store import open_store
from support.signing import make_key, ssh_verify

pytestmark = pytest.mark.release


@pytest.fixture
def key(tmp_path):
    return make_key(tmp_path / "keys")


@pytest.fixture
def signed_store(tmp_path, data_dir, key):
    url = str(tmp_path / "store")
    result = publish(open_store(url), data_dir, signer=key.signer)
    return tmp_path / "store", result.version


def test_a_signature_is_what_ssh_keygen_itself_writes(tmp_path, key):
    """Ed25519 signatures are deterministic: ours are ssh-keygen -Y sign's bytes exactly."""
    import subprocess

    message = tmp_path / "message"
    message.write_bytes(b"the manifest's bytes\n")
    subprocess.run(
        [
            "ssh-keygen",
            "-Y",
            "sign",
            "-q",
            "-f",
            str(key.private),
            "-n",
            "iran1988-records",
            str(message),
        ],
        check=True,
        capture_output=True,
    )
    assert key.signer.sign(message.read_bytes()) == (tmp_path / "message.sig").read_bytes()


def test_every_signed_file_of_a_published_release_verifies_with_ssh_keygen(signed_store, key):
    root, version = signed_store
    signed = [release_prefix(version) + MANIFEST, RELEASES_KEY, CURRENT_KEY]
    for name in signed:
        checked = ssh_verify(key.keys, root / (name + ".sig"), (root / name).read_bytes())
        assert checked.returncode == 0, checked.stderr
        assert b'Good "iran1988-records" signature' in checked.stdout + checked.stderr


def test_ssh_keygen_refuses_a_manifest_changed_by_one_byte(signed_store, key):
    root, version = signed_store
    body = bytearray((root / release_prefix(version) / MANIFEST).read_bytes())
    body[10] ^= 1
    checked = ssh_verify(
        key.keys, root / release_prefix(version) / "manifest.json.sig", bytes(body)
    )
    assert checked.returncode != 0


def test_ssh_keygen_refuses_a_key_the_keys_file_does_not_list(signed_store, tmp_path):
    root, version = signed_store
    other = make_key(tmp_path / "other")
    path = root / release_prefix(version) / MANIFEST
    checked = ssh_verify(other.keys, path.with_name("manifest.json.sig"), path.read_bytes())
    assert checked.returncode != 0


def test_verify_names_a_bad_signature_and_an_unknown_key_apart(tmp_path, key):
    signature = key.signer.sign(b"listing")
    assert verify(b"listing", signature, read_keys(key.keys)).principal.startswith("releases@")
    with pytest.raises(SignatureError) as bad:
        verify(b"listinG", signature, read_keys(key.keys))
    assert bad.value.kind == "bad-signature"
    with pytest.raises(SignatureError) as unknown:
        verify(b"listing", signature, read_keys(make_key(tmp_path / "o").keys))
    assert unknown.value.kind == "unknown-key"
    assert "SHA256:" in unknown.value.message
    with pytest.raises(SignatureError) as garbage:
        verify(b"listing", b"-----BEGIN SSH SIGNATURE-----\n!!\n-----END SSH SIGNATURE-----", [])
    assert garbage.value.kind == "bad-signature"


def test_a_key_listed_for_another_namespace_is_not_trusted(tmp_path, key):
    line = key.keys.read_text().replace('namespaces="iran1988-records"', 'namespaces="git"')
    elsewhere = tmp_path / "KEYS"
    elsewhere.write_text(line)
    assert read_keys(elsewhere) == []


def test_the_key_comes_from_a_path_or_the_environment_and_is_never_stored(tmp_path, key, data_dir):
    text = key.private.read_text()
    assert signer_from(None, {KEY_ENV: text}).public == key.signer.public
    assert signer_from(None, {KEY_FILE_ENV: str(key.private)}).public == key.signer.public
    assert signer_from(key.private, {}).public == key.signer.public
    assert signer_from(None, {}) is None
    with pytest.raises(ValueError, match="not an unencrypted OpenSSH private key"):
        Signer(b"not a key")
    url = tmp_path / "store"
    publish(open_store(str(url)), data_dir, signer=key.signer)
    secret = text.split("\n")[1].encode()
    assert not any(secret in p.read_bytes() for p in url.rglob("*") if p.is_file())


def test_publish_on_the_command_line_signs_with_the_key_from_the_environment(
    tmp_path, key, data_dir, monkeypatch
):
    monkeypatch.setenv(KEY_ENV, key.private.read_text())
    url = tmp_path / "store"
    result = CliRunner().invoke(
        main, ["publish", "--to", str(url), "--data", str(data_dir)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    version = json.loads((url / CURRENT_KEY).read_bytes())["version"]
    manifest = url / release_prefix(version) / MANIFEST
    assert (
        ssh_verify(
            key.keys, manifest.with_name("manifest.json.sig"), manifest.read_bytes()
        ).returncode
        == 0
    )


def test_publish_without_a_key_says_the_release_is_unsigned(tmp_path, data_dir, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    url = tmp_path / "store"
    result = CliRunner().invoke(
        main, ["publish", "--to", str(url), "--data", str(data_dir)], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "will not be signed" in result.stderr
    assert not list(url.rglob("*.sig"))


def test_a_bad_key_file_is_a_usage_error(tmp_path, data_dir):
    bad = tmp_path / "key"
    bad.write_text("nope")
    result = CliRunner().invoke(
        main,
        [
            "publish",
            "--to",
            str(tmp_path / "s"),
            "--data",
            str(data_dir),
            "--signing-key",
            str(bad),
        ],
    )
    assert result.exit_code == 2
    assert "not an unencrypted OpenSSH private key" in result.output
