"""Cold starts, object reads and peak RSS of fresh serving processes, against S3 on loopback.

A moto ``ThreadedMotoServer`` listens on 127.0.0.1 in this process; the published release is
copied into its bucket object for object, and each measurement starts a new interpreter
(benchmarks/coldstart.py) whose boto3 reads it over real HTTP. The yardstick is the
whole-process time of ``python -c "import boto3; boto3.client('s3')"``, measured the same way
in the same run, interleaved with the app's runs so drift hits both alike.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BUCKET = "bench-releases"
PREFIX = "dataset"
REGION = "us-east-1"
COLD_RUNS = 7
CHILD = Path(__file__).resolve().parent / "coldstart.py"
BASELINE = "import boto3; boto3.client('s3')"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def aws_environment(endpoint: str, home: str, bucket: str) -> dict[str, str]:
    """The environment of every child: fake credentials, no real AWS config, moto's endpoint."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("DATASET_STORE", "PYTHONPATH")
    }
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.path.join(home, "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": endpoint,
            "DATASET_STORE": f"s3://{bucket}/{PREFIX}",
        }
    )
    return env


@contextlib.contextmanager
def moto_store(folder_store: Path) -> Iterator[dict[str, Any]]:
    """A moto server on loopback whose bucket holds every object of ``folder_store``.

    Objects go in through moto's own backend: its HTTP PUT manages a few hundred objects a
    second here, an hour for a million records, and how a bucket was filled does not change
    what a GET over HTTP costs.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import FakeKey, s3_backends
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on stderr
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    home = tempfile.mkdtemp(prefix="bench-aws-")
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    bucket = f"{BUCKET}-{port}"  # moto's bucket names are global to the process
    try:
        backend.create_bucket(bucket, REGION)
        started, count, size = time.perf_counter(), 0, 0
        root = Path(folder_store)
        for directory, _, files in os.walk(root):
            for name in files:
                path = Path(directory) / name
                key = path.relative_to(root).as_posix()
                if name.startswith(".") or key.startswith("."):
                    continue
                body = path.read_bytes()
                backend.put_object(bucket, f"{PREFIX}/{key}", body)
                count, size = count + 1, size + len(body)
        yield {
            "endpoint": f"http://127.0.0.1:{port}",
            "home": home,
            "bucket": bucket,
            "objects": count,
            "bytes": size,
            "load_seconds": round(time.perf_counter() - started, 1),
        }
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
        with contextlib.suppress(Exception):  # free the objects before the next size loads
            keys = backend.buckets[bucket].keys
            for held in list(keys.values()):
                if isinstance(held, FakeKey):
                    held.dispose()
            keys.clear()
            backend.delete_bucket(bucket)


def _run(
    argv: list[str], env: dict[str, str], stdin: str = "", timeout: float = 600
) -> tuple[float, float, str]:
    """(spawn time, exit time, stdout) of one child, on the perf_counter clock."""
    spawned = time.perf_counter()
    done = subprocess.run(
        argv,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tempfile.gettempdir(),
    )
    exited = time.perf_counter()
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1:3]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return spawned, exited, done.stdout


def first_request(env: dict[str, str], request: dict[str, Any]) -> dict[str, Any]:
    """One fresh process answering ``request``: whole-process time, time to answer, reads."""
    spawned, exited, out = _run([sys.executable, str(CHILD), "first"], env, json.dumps([request]))
    report = json.loads(out)
    return {
        "whole_s": exited - spawned,
        "answer_s": report["answered"] - spawned,
        "import_s": report["imported"] - spawned,
        "status": report["status"],
        "reads": report["reads"],
    }


def release_key(url_path: str) -> str:
    """'/dataset/releases/<version>/index/x' as 'index/x'; 'current.json' as itself."""
    key = url_path.removeprefix(f"/{PREFIX}/")
    return key.split("/", 2)[2] if key.startswith("releases/") else key


def baseline(env: dict[str, str], code: str = BASELINE) -> float:
    spawned, exited, _ = _run([sys.executable, "-c", code], env)
    return exited - spawned


def measure(
    env: dict[str, str], record: str, listing: str, runs: int = COLD_RUNS
) -> dict[str, Any]:
    """Median whole-process times of the yardstick and of the first record and list answers."""
    if runs > 1:  # one unmeasured run each, so the OS page cache is as warm for all of them
        baseline(env)
        first_request(env, {"path": record})
    samples: dict[str, list] = {"baseline": [], "python": [], "record": [], "list": []}
    for _ in range(runs):
        samples["baseline"].append(baseline(env))
        samples["python"].append(baseline(env, "pass"))
        samples["record"].append(first_request(env, {"path": record}))
        samples["list"].append(first_request(env, {"path": listing}))
    base = statistics.median(samples["baseline"])

    def summary(name: str, path: str) -> dict[str, Any]:
        runs_ = samples[name]
        whole = statistics.median(r["whole_s"] for r in runs_)
        return {
            "path": path,
            "whole_s": round(whole, 4),
            "answer_s": round(statistics.median(r["answer_s"] for r in runs_), 4),
            "import_s": round(statistics.median(r["import_s"] for r in runs_), 4),
            "ratio": round(whole / base, 2),
            "status": runs_[0]["status"],
            "reads": len(runs_[0]["reads"]),
            "keys": [release_key(k) for k in runs_[0]["reads"]],
        }

    return {
        "runs": runs,
        "baseline_code": BASELINE,
        "baseline_s": round(base, 4),
        "python_s": round(statistics.median(samples["python"]), 4),
        "record": summary("record", record),
        "list": summary("list", listing),
    }


def serve(env: dict[str, str], requests: list[dict[str, Any]]) -> dict[str, Any]:
    """One fresh process answering ``requests`` (each cold, then warm): reads and peak RSS."""
    _, _, out = _run([sys.executable, str(CHILD), "serve"], env, json.dumps(requests))
    return json.loads(out)
