"""A throw-away signing key, made by ssh-keygen as a publisher would make theirs, and the
allowed-signers file that trusts it: what the signature tests sign and verify with."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from chalicelib.release.signing import NAMESPACE, PRINCIPAL, Signer


@dataclass(frozen=True)
class TestKey:
    private: Path  # the OpenSSH private key file
    keys: Path  # an allowed-signers file (a KEYS) naming it

    @property
    def signer(self) -> Signer:
        return Signer(self.private.read_bytes())


def ssh_keygen() -> str:
    """ssh-keygen's path; the tests fail (never skip) without it, as .ci/run installs it."""
    found = shutil.which("ssh-keygen")
    if found is None:
        pytest.fail("ssh-keygen is missing: apt-get install openssh-client (.ci/run does)")
    return found


def make_key(folder: Path, name: str = "release-key") -> TestKey:
    folder.mkdir(parents=True, exist_ok=True)
    private = folder / name
    subprocess.run(
        [ssh_keygen(), "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(private)],
        check=True,
    )
    keys = folder / f"{name}.KEYS"
    keys.write_text(
        "# a throw-away key of the tests\n" + Signer(private.read_bytes()).public_line + "\n"
    )
    return TestKey(private, keys)


def ssh_verify(keys: Path, signature: Path, message: bytes) -> subprocess.CompletedProcess:
    """``ssh-keygen -Y verify`` as the documentation tells users to run it."""
    return subprocess.run(
        [
            ssh_keygen(),
            "-Y",
            "verify",
            "-f",
            str(keys),
            "-I",
            PRINCIPAL,
            "-n",
            NAMESPACE,
            "-s",
            str(signature),
        ],
        input=message,
        capture_output=True,
    )
