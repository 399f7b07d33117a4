"""The offline edition: every page of a release, in English and Persian, as static files.

The pages are the API's own pages: the app runs in this process, against the release's store,
and each page is asked for as a browser would ask for it (``Accept: text/html``, ``?lang=fa``).
Nothing is rendered twice or by a copy of the templates. Each page's links are then rewritten
to relative file paths, so the folder opens from disk (``file://``) and from any static host:

    index.html, <collection>/index.html, <collection>/<id>.html     English
    fa/…                                                            the same pages in Persian
    <collection>/index-<cursor digest>.html                         the list's further pages
    style.css, files/<download>, schemas/<kind>.schema.json         the stylesheet, downloads, schemas
    offline.html, fa/offline.html                                   what needs the live site
    manifest.json (+ manifest.json.sig)                             every file's size and sha256

Search and filters need the server; offline, each collection's list pages (every record, in
the list's order) are the index, and a link to anything the edition cannot hold (search, the
JSON API, the contribution form) leads to ``offline.html``, which says so. The map is part of
the pages (inline SVG). The edition is one folder and one zip with the same files, both
verifiable (``python -m chalicelib verify DIR``, or ssh-keygen on ``manifest.json.sig`` and on
``<zip>.sig``).
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import time
import zipfile
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from chalicelib.model.kinds import KINDS
from chalicelib.release.dataset import Dataset
from chalicelib.release.layout import MANIFEST, canonical_json, sha256_hex
from chalicelib.release.signing import Signer, signature_path
from chalicelib.store import open_store

LANGUAGES = ("en", "fa")
NOTICE = "offline.html"
STYLESHEET = "style.css"
_COLLECTIONS = {kind.collection for kind in KINDS}
_LINK = re.compile(r'(\s(?:href|src|action)=")([^"]*)(")')
# Zip entries carry this time, not the clock: the same pages give the same zip.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class Edition:
    version: str
    folder: Path
    zip_path: Path
    pages: int
    files: int
    bytes: int  # the folder's files, summed
    zip_bytes: int
    seconds: float
    signed: bool


@dataclass(frozen=True)
class _Page:
    path: str  # "/", "/people", "/people/x", "/dataset"
    lang: str
    cursor: str | None = None

    @property
    def url(self) -> str:
        params = {"lang": "fa"} if self.lang == "fa" else {}
        if self.cursor:
            params["cursor"] = self.cursor
        return self.path + ("?" + urlencode(params) if params else "")

    @property
    def file(self) -> str:
        parts = [p for p in self.path.split("/") if p]
        name = "index" if not parts else parts[0] if parts == ["dataset"] else None
        if name is None:
            name = f"{parts[0]}/index" if len(parts) == 1 else f"{parts[0]}/{parts[1]}"
        if self.cursor:
            name += "-" + hashlib.sha256(self.cursor.encode()).hexdigest()[:12]
        return ("fa/" if self.lang == "fa" else "") + name + ".html"


def _page_of(path: str, query: dict[str, list[str]]) -> _Page | None:
    """The page a link names, if the edition holds it: the index, the dataset page, a
    collection's list (and its further pages), a record; in either language. A link with
    any other parameter (a filter, a sort, ?format=json) needs the server."""
    if set(query) - {"lang", "cursor"}:
        return None
    lang = query.get("lang", ["en"])[0]
    if lang not in LANGUAGES:
        return None
    cursor = query.get("cursor", [None])[0]
    parts = [p for p in path.split("/") if p]
    if not parts or parts == ["dataset"]:
        return None if cursor else _Page("/" + "/".join(parts), lang)
    if parts[0] not in _COLLECTIONS or len(parts) > 2 or (cursor and len(parts) == 2):
        return None
    return _Page(path, lang, cursor)


def _is_download(path: str) -> bool:
    """A download's URL: ``/dataset/files/<name>``, or pinned to its release in the path
    (``/dataset/releases/<version>/files/<name>``). The edition holds one release, so both
    land in ``files/``."""
    parts = path.split("/")
    return path.startswith("/dataset/files/") or (
        len(parts) == 6 and parts[1:3] == ["dataset", "releases"] and parts[4] == "files"
    )


@contextmanager
def _app_client(store_url: str) -> Iterator[object]:
    """The app, in this process, answering from ``store_url``: chalice's own test client, with
    the app's router pointed at a service of its own over that store while it runs."""
    from chalice.test import Client

    import app as application
    from chalicelib.serve.service import Service

    before = application.router.service
    application.router.service = Service(Dataset(open_store(store_url)))
    try:
        with Client(application.app) as client:
            yield client
    finally:
        application.router.service = before


class _Crawl:
    def __init__(self, client, out: Path):
        self.client, self.out = client, out
        self.files: dict[str, bytes] = {}
        self.absent: set[str] = set()
        self.queue: deque[_Page] = deque()
        self.seen: set[_Page] = set()

    def get(self, url: str, accept: str) -> tuple[int, bytes]:
        status, _, body = self.answer(url, accept)
        return status, body

    def answer(self, url: str, accept: str) -> tuple[int, dict, bytes]:
        response = self.client.http.get(url, headers={"Accept": accept})
        return response.status_code, dict(response.headers), response.body

    def want(self, page: _Page) -> None:
        if page not in self.seen:
            self.seen.add(page)
            self.queue.append(page)

    def run(self, ids: dict[str, list[str]]) -> int:
        """Crawl from every record's page (tombstones too: a citation may name one), the
        index, the dataset page and each collection's list, in both languages."""
        for lang in LANGUAGES:
            for collection, names in sorted(ids.items()):
                for record_id in names:
                    self.want(_Page(f"/{collection}/{record_id}", lang))
        self.get_json(_SCHEMAS, "/schemas")
        for kind in KINDS:
            self.get_json(_schema_file("/schemas/" + kind.name), "/schemas/" + kind.name)
        for lang in LANGUAGES:
            self.want(_Page("/", lang))
            self.want(_Page("/dataset", lang))
            for collection in sorted(_COLLECTIONS):
                self.want(_Page("/" + collection, lang))
        pages = 0
        while self.queue:
            page = self.queue.popleft()
            status, headers, body = self.answer(page.url, "text/html")
            location = {k.lower(): v for k, v in headers.items()}.get("location")
            if status in (301, 302, 303, 307, 308) and location:
                # A merged record moved: a page that sends the reader on, as the server does.
                parts = urlsplit(location)
                linked = _page_of(parts.path, parse_qs(parts.query))
                if linked is not None:
                    self.want(linked)
                target = linked.file if linked else ("fa/" if page.lang == "fa" else "") + NOTICE
                here = posixpath.dirname(page.file) or "."
                self.files[page.file] = _moved(posixpath.relpath(target, here)).encode()
                pages += 1
                continue
            if status >= 500 or not body.lstrip().startswith(b"<!"):
                # A broken page is not shipped, and not silently left out either.
                raise RuntimeError(
                    f"the offline edition could not render {page.url}: HTTP {status}"
                )
            self.files[page.file] = self.relinked(body.decode("utf-8"), page).encode("utf-8")
            pages += 1
        return pages

    def relinked(self, text: str, page: _Page) -> str:
        here = posixpath.dirname(page.file)

        def local(target: str, fragment: str) -> str:
            relative = posixpath.relpath(target, here or ".")
            return html.escape(relative + (f"#{fragment}" if fragment else ""), quote=True)

        def replace(match: re.Match) -> str:
            raw = html.unescape(match.group(2))
            parts = urlsplit(raw)
            if parts.scheme or parts.netloc or raw.startswith("#") or not raw:
                return match.group(0)
            query = parse_qs(parts.query)
            if parts.path == "/" + STYLESHEET:
                self.asset(STYLESHEET, "/" + STYLESHEET)
                target = STYLESHEET
            elif parts.path.startswith("/schemas") and set(query) <= {"release", "lang"}:
                target = _SCHEMAS if parts.path == "/schemas" else _schema_file(parts.path)
            elif _is_download(parts.path) and set(query) <= {"release"}:
                name = parts.path.rsplit("/", 1)[1]
                target = "files/" + name
                url = parts.path + (f"?{parts.query}" if parts.query else "")
                if not self.asset(target, url, missing_ok=True):
                    # An unsigned release has no manifest.json.sig to link to.
                    target = ("fa/" if page.lang == "fa" else "") + NOTICE
            else:
                linked = _page_of(parts.path, query)
                if linked is None:
                    target = ("fa/" if page.lang == "fa" else "") + NOTICE
                    return match.group(1) + local(target, "") + match.group(3)
                self.want(linked)
                target = linked.file
            return match.group(1) + local(target, parts.fragment) + match.group(3)

        return _LINK.sub(replace, text)

    def get_json(self, path: str, url: str) -> None:
        status, body = self.get(url, "application/json")
        if status != 200:
            raise RuntimeError(f"the offline edition could not fetch {url}: HTTP {status}")
        self.files[path] = body

    def asset(self, path: str, url: str, missing_ok: bool = False) -> bool:
        """Fetch ``url`` into the edition as ``path`` once; False if it is not there (404)
        and ``missing_ok``; any other failure stops the build."""
        if path in self.files:
            return True
        if path in self.absent:
            return False
        status, body = self.get(url, "*/*")
        if status == 404 and missing_ok:
            self.absent.add(path)
            return False
        if status != 200:
            raise RuntimeError(f"the offline edition could not fetch {url}: HTTP {status}")
        self.files[path] = body
        return True


def _moved(location: str) -> str:
    """The page of a record merged into another: the server's redirect, as a file."""
    target = html.escape(location, quote=True)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={target}"><title>{target}</title></head>'
        f'<body><p><a href="{target}">{target}</a></p></body></html>\n'
    )


_SCHEMAS = "schemas/index.json"


def _schema_file(path: str) -> str:
    """/schemas/person -> schemas/person.schema.json, the name the release gives it."""
    return f"schemas/{path.rsplit('/', 1)[1]}.schema.json"


def _notice(lang: str, home: str, stylesheet: str) -> bytes:
    """What a link to the live site's search, filters, API or form leads to, offline."""
    if lang == "fa":
        title = "در نسخهٔ آفلاین در دسترس نیست"
        body = (
            "جست‌وجو، پالایه‌ها، رابط JSON و فرم مشارکت به کارگزار نیاز دارند و در این نسخهٔ "
            "آفلاین نیستند. فهرست هر مجموعه همهٔ پرونده‌های آن را نشان می‌دهد."
        )
        back = "بازگشت به صفحهٔ اصلی"
        direction = "rtl"
    else:
        title = "Not available in the offline edition"
        body = (
            "Search, filters, the JSON API and the contribution form need the server, and are "
            "not in this offline edition. Each collection's list shows every one of its records."
        )
        back = "Back to the start page"
        direction = "ltr"
    # Both notices sit beside their language's index.html: the same relative links serve both.
    links = "".join(f'<li><a href="{c}/index.html">{c}</a></li>' for c in sorted(_COLLECTIONS))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        f'<link rel="stylesheet" href="{stylesheet}"></head><body><main id="main">'
        f"<h1>{title}</h1><p>{body}</p><ul>{links}</ul>"
        f'<p><a href="{home}">{back}</a></p></main></body></html>\n'
    ).encode()


def build_edition(store_url: str, out: Path, signer: Signer | None = None) -> Edition:
    """Render the current release of ``store_url`` into the new folder ``out``, and zip it to
    ``out`` + ``.zip``; with ``signer``, sign the folder's manifest and the zip."""
    started = time.perf_counter()
    with _app_client(store_url) as client:
        crawl = _Crawl(client, out)
        version = json.loads(crawl.get("/dataset", "application/json")[1])["version"]
        crawl.asset(STYLESHEET, "/" + STYLESHEET)
        release = Dataset(open_store(store_url), ttl=0).current()
        pages = crawl.run({c: sorted(release.directory(c)) for c in sorted(_COLLECTIONS)})
    files = crawl.files
    files[NOTICE] = _notice("en", "index.html", STYLESHEET)
    files["fa/" + NOTICE] = _notice("fa", "index.html", "../" + STYLESHEET)
    manifest = {
        "version": version,
        "edition": "offline",
        "files": {
            path: {"bytes": len(body), "sha256": sha256_hex(body)}
            for path, body in sorted(files.items())
        },
    }
    files[MANIFEST] = canonical_json(manifest)
    if signer is not None:
        files[signature_path(MANIFEST)] = signer.sign(files[MANIFEST])
    out.mkdir(parents=True)
    for path, body in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    zip_path = out.with_name(out.name + ".zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            entry = zipfile.ZipInfo(f"{out.name}/{path}", _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[path])
    if signer is not None:
        signature = zip_path.with_name(zip_path.name + ".sig")
        signature.write_bytes(signer.sign(zip_path.read_bytes()))
    return Edition(
        version,
        out,
        zip_path,
        pages,
        len(files),
        sum(len(b) for b in files.values()),
        zip_path.stat().st_size,
        time.perf_counter() - started,
        signer is not None,
    )
