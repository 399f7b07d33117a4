"""``verify --url``: a release as the API serves it, checked against its signed manifest.

The API serves the manifest byte for byte and its signature (``/dataset/files/manifest.json``
and ``.sig``), and every download; the index files it reads records from are not served, so
this checks the downloads, which are what people take away.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import quote

from chalicelib.release.layout import MANIFEST, download_path
from chalicelib.release.signing import KnownKey, signature_path
from chalicelib.release.verify import Source, VerifyReport, verify_release

TIMEOUT = 60.0
Fetch = Callable[[str], bytes | None]  # a URL's body; None when it answers an error


def fetch_url(url: str) -> bytes | None:
    """GET ``url``, following redirects (a download answers 302 to storage or the CDN). An
    error answer is None: the API refuses a file that fails its own check (5xx), one that is
    gone (404, 410), and for the report each is a file that cannot be had from it."""
    request = urllib.request.Request(url, headers={"Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read()
    except urllib.error.HTTPError:
        return None


class ApiSource(Source):
    """The downloads of release ``version`` at the API ``base``."""

    def __init__(self, base: str, version: str, listed: list[str], fetch: Fetch):
        self.base, self.version, self.listed, self.fetch = base, version, listed, fetch
        self.name = f"{base}/dataset?release={version}"

    def _url(self, name: str) -> str:
        return f"{self.base}/dataset/files/{quote(name)}?release={self.version}"

    def read(self, path: str) -> bytes | None:
        if path in (MANIFEST, signature_path(MANIFEST)):
            return self.fetch(self._url(path))
        if not path.startswith(download_path("")):
            return b""  # not served: skipped by only()
        return self.fetch(self._url(path[len(download_path("")) :]))

    def paths(self) -> None:
        return None


def verify_api(url: str, keys: list[KnownKey] | None, fetch: Fetch = fetch_url) -> VerifyReport:
    """The current release at the API ``url``: its signature, and every download re-hashed;
    a download the API lists that the manifest does not name is an extra file."""
    base = url.rstrip("/")
    report = VerifyReport(base)
    body = fetch(base + "/dataset")
    if body is None:
        report.add("missing", base + "/dataset", "the API does not answer /dataset")
        return report
    dataset = json.loads(body)
    version = dataset["version"]
    listed = [f["name"] for f in dataset.get("files", [])]
    source = ApiSource(base, version, listed, fetch)
    manifest = verify_release(
        source, keys, report, only=lambda path: path.startswith(download_path(""))
    )
    if manifest is not None:
        named = {p[len(download_path("")) :] for p in manifest["files"] if p.startswith("files/")}
        for name in sorted(set(listed) - named):
            report.add(
                "extra", source._url(name), "the API lists a download the manifest does not name"
            )
    report.notes.append(f"release {version}; the API serves the downloads, not the index files")
    return report
