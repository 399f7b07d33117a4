"""Signatures on a release, in OpenSSH's SSHSIG format, so anyone can check them with
``ssh-keygen -Y verify`` and none of this project's code.

What is signed (each signature is ``<file>.sig`` beside the file): every release's
``manifest.json``, which names the sha256 of every other file of the release, and the store's
``releases.json``, ``current.json`` and ``redactions.json``, so that a listing rolled back, a
release withdrawn from it or a redaction register swapped is seen too.

The key is an Ed25519 key in OpenSSH's format (``ssh-keygen -t ed25519``). It is given to
``publish`` by a path or an environment variable, never stored in the repository or a
release. The public keys that signatures are checked against are the repository's ``KEYS``,
an OpenSSH allowed-signers file, which ``ssh-keygen -Y verify -f KEYS`` reads as it is.

The format (PROTOCOL.sshsig in OpenSSH's sources): the signed blob is
``"SSHSIG" string(namespace) string("") string("sha512") string(sha512(message))``, and the
signature is ``"SSHSIG" uint32(1) string(public key) string(namespace) string("")
string("sha512") string(string("ssh-ed25519") string(signature))``, base64 between armour
lines. ``cryptography`` does the Ed25519 arithmetic; it is imported on first use, so the
reading side of the Lambda never loads it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

NAMESPACE = "iran1988-records"
PRINCIPAL = "releases@iran1988-records"
SUFFIX = ".sig"
KEYS_FILE = Path(__file__).resolve().parents[2] / "KEYS"
KEY_ENV = "DATASET_SIGNING_KEY"  # the private key itself (a CI secret)
KEY_FILE_ENV = "DATASET_SIGNING_KEY_FILE"  # a path to it

_MAGIC = b"SSHSIG"
_VERSION = 1
_HASH = "sha512"
_KEY_TYPE = "ssh-ed25519"
_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"


class SignatureError(Exception):
    """A signature that does not hold. ``kind`` is 'bad-signature' (malformed, or not made over these
    bytes) or 'unknown-key' (well made, by a key KEYS does not list)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def signature_path(path: str) -> str:
    return path + SUFFIX


def _string(value: bytes | str) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return struct.pack(">I", len(raw)) + raw


def _read_string(blob: bytes, at: int) -> tuple[bytes, int]:
    if at + 4 > len(blob):
        raise SignatureError("bad-signature", "the signature is truncated")
    (length,) = struct.unpack(">I", blob[at : at + 4])
    end = at + 4 + length
    if end > len(blob):
        raise SignatureError("bad-signature", "the signature is truncated")
    return blob[at + 4 : end], end


def _signed_blob(message: bytes, namespace: str) -> bytes:
    return (
        _MAGIC
        + _string(namespace)
        + _string(b"")
        + _string(_HASH)
        + _string(hashlib.sha512(message).digest())
    )


def public_blob(raw_public: bytes) -> bytes:
    """An Ed25519 public key as OpenSSH encodes it (the base64 part of a .pub line)."""
    return _string(_KEY_TYPE) + _string(raw_public)


# -- signing (publish) ------------------------------------------------------------------------


class Signer:
    """An Ed25519 private key that signs in SSHSIG format."""

    def __init__(self, private_key_text: bytes):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            PublicFormat,
            load_ssh_private_key,
        )

        try:
            key = load_ssh_private_key(private_key_text, password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                "the signing key is not an unencrypted OpenSSH private key "
                f"({type(exc).__name__}); make one with ssh-keygen -t ed25519 -N ''"
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key is not an Ed25519 key (ssh-keygen -t ed25519)")
        self._key = key
        self.public = public_blob(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    @property
    def public_line(self) -> str:
        """The key as a KEYS line: principal, namespace, type and base64."""
        return allowed_signer_line(self.public)

    def sign(self, message: bytes, namespace: str = NAMESPACE) -> bytes:
        """The armoured SSHSIG signature of ``message``, as ``ssh-keygen -Y sign`` writes it."""
        raw = self._key.sign(_signed_blob(message, namespace))
        blob = (
            _MAGIC
            + struct.pack(">I", _VERSION)
            + _string(self.public)
            + _string(namespace)
            + _string(b"")
            + _string(_HASH)
            + _string(_string(_KEY_TYPE) + _string(raw))
        )
        encoded = base64.b64encode(blob).decode()
        lines = [encoded[i : i + 70] for i in range(0, len(encoded), 70)]
        return ("\n".join([_BEGIN, *lines, _END]) + "\n").encode()


def allowed_signer_line(public: bytes) -> str:
    return f'{PRINCIPAL} namespaces="{NAMESPACE}" {_KEY_TYPE} {base64.b64encode(public).decode()}'


def signer_from(path: Path | None = None, environ: dict[str, str] | None = None) -> Signer | None:
    """The key ``publish`` signs with: the file at ``path``, else the key in $DATASET_SIGNING_KEY,
    else the file $DATASET_SIGNING_KEY_FILE names; None when none is given."""
    env = os.environ if environ is None else environ
    if path is None and env.get(KEY_ENV):
        return Signer(env[KEY_ENV].encode())
    path = path or (Path(env[KEY_FILE_ENV]) if env.get(KEY_FILE_ENV) else None)
    if path is None:
        return None
    try:
        return Signer(Path(path).read_bytes())
    except OSError as exc:
        raise ValueError(f"cannot read the signing key {path}: {exc.strerror}") from None


# -- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownKey:
    public: bytes  # the OpenSSH public key blob
    principal: str
    line: int  # where KEYS lists it


def read_keys(path: Path = KEYS_FILE) -> list[KnownKey]:
    """The keys of an allowed-signers file: each line ``principal [options] type base64``;
    blank lines and ``#`` comments (the key history) are skipped. Only keys allowed for this
    project's namespace count."""
    keys = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        try:
            at = fields.index(_KEY_TYPE)
            public = base64.b64decode(fields[at + 1], validate=True)
        except (ValueError, IndexError):
            raise ValueError(f"{path}:{number}: not an ssh-ed25519 allowed-signers line") from None
        options = " ".join(fields[1:at])
        if "namespaces=" in options and f'"{NAMESPACE}"' not in options.replace(",", '" "'):
            continue
        keys.append(KnownKey(public, fields[0], number))
    return keys


def verify(message: bytes, armoured: bytes, keys: list[KnownKey]) -> KnownKey:
    """The key of ``keys`` that made ``armoured`` over ``message``; else SignatureError."""
    blob = _dearmour(armoured)
    if not blob.startswith(_MAGIC):
        raise SignatureError("bad-signature", "not an SSH signature (no SSHSIG preamble)")
    at = len(_MAGIC)
    if len(blob) < at + 4 or struct.unpack(">I", blob[at : at + 4])[0] != _VERSION:
        raise SignatureError("bad-signature", "an SSH signature of an unknown version")
    public, at = _read_string(blob, at + 4)
    namespace, at = _read_string(blob, at)
    _reserved, at = _read_string(blob, at)
    hash_name, at = _read_string(blob, at)
    signature, at = _read_string(blob, at)
    if namespace.decode(errors="replace") != NAMESPACE:
        raise SignatureError(
            "bad-signature",
            f"signed for namespace {namespace.decode(errors='replace')!r}, not {NAMESPACE!r}",
        )
    if hash_name.decode(errors="replace") not in ("sha512", "sha256"):
        raise SignatureError("bad-signature", "an SSH signature with an unknown hash")
    key_type, rest = _read_string(public, 0)
    if key_type != _KEY_TYPE.encode():
        raise SignatureError(
            "unknown-key", f"signed with a {key_type.decode(errors='replace')} key"
        )
    known = next((k for k in keys if k.public == public), None)
    if known is None:
        raise SignatureError(
            "unknown-key",
            "signed by a key KEYS does not list: " + fingerprint(public),
        )
    sig_type, sig_at = _read_string(signature, 0)
    raw, _ = _read_string(signature, sig_at)
    digest = hashlib.new(hash_name.decode(), message).digest()
    signed = _MAGIC + _string(namespace) + _string(b"") + _string(hash_name) + _string(digest)
    if sig_type != _KEY_TYPE.encode() or not _ed25519_holds(
        _read_string(public, rest)[0], raw, signed
    ):
        raise SignatureError(
            "bad-signature", "the signature does not match these bytes (they changed after signing)"
        )
    return known


def fingerprint(public: bytes) -> str:
    """As ssh-keygen -l prints it: SHA256:<unpadded base64 of sha256(blob)>."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(public).digest()).decode().rstrip("=")


def _dearmour(armoured: bytes) -> bytes:
    text = armoured.decode("ascii", errors="replace").strip()
    if not (text.startswith(_BEGIN) and text.endswith(_END)):
        raise SignatureError("bad-signature", "not an armoured SSH signature")
    try:
        return base64.b64decode("".join(text[len(_BEGIN) : -len(_END)].split()), validate=True)
    except ValueError:
        raise SignatureError("bad-signature", "the signature's base64 is damaged") from None


def _ed25519_holds(raw_public: bytes, signature: bytes, signed: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(raw_public).verify(signature, signed)
    except (InvalidSignature, ValueError):
        return False
    return True
