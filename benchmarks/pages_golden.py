"""Every page's exact bytes, saved once and compared after a change: for work on the pages'
speed, where a page must not change by a byte.

Renders, through the benchmarks' copy of the app (``warm.Bench``), in English and in Persian:
every record of every collection (or ``--sample N`` of each), a record's claims and history
pages, every list, filtered, sorted, paged and pinned lists, searches (empty, refused, Latin,
Persian), the index, /dataset, its releases, /contribute and unknown paths. Each answer is
saved with its status and headers::

    python -m chalicelib publish --to /tmp/golden-store
    python -m benchmarks.pages_golden /tmp/golden-store save /tmp/golden
    python -m benchmarks.pages_golden /tmp/golden-store check /tmp/golden   # after a change

``check`` names the pages that differ (and writes each as ``diff-<key>`` beside the folder)
and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from . import warm

COLLECTIONS = ("people", "organizations", "places", "events", "sources", "claims")
PAGES = (
    "/",
    "/dataset",
    "/dataset/releases",
    "/contribute",
    "/search",
    "/search?q=evin",
    "/search?q=%21%21",
    "/search?q=%D8%A7%D9%88%DB%8C%D9%86",
    "/search?q=tehran",
    "/nowhere",
    "/people/no-such-person",
    "/people?q=zzzz-none",
    "/people?category=victim",
    "/people?limit=3",
    "/people?release=bogus",
    "/people?lang=fa&category=victim",
    "/claims?property=victim_count",
    "/claims?property=killed_at",
    "/claims?limit=5",
    "/claims?status=alleged&sort=-date",
    "/events?sort=-date",
    "/events?date_from=1988-07&date_to=1988-09",
    "/places?type=prison",
    "/sources?type=report",
    "/openapi.json",
)


def answer(bench: warm.Bench, url: str, lang: str = "en", html: bool = True) -> Any:
    headers = {"accept": warm.BROWSER["accept"] if html else "application/json"}
    if lang == "fa":
        headers["accept-language"] = "fa-IR,fa;q=0.9"
    return bench.client.http.request("GET", url, headers=headers)


def document(bench: warm.Bench, url: str) -> dict:
    return json.loads(answer(bench, url, html=False).body)


def record_ids(bench: warm.Bench, collection: str) -> list[str]:
    ids: list[str] = []
    url: str | None = f"/{collection}?limit=500"
    while url:
        page = document(bench, url)
        ids += [item["id"] for item in page["items"]]
        url = page.get("next")
    return ids


def urls(bench: warm.Bench, sample: int) -> list[str]:
    found = list(PAGES)
    for collection in COLLECTIONS:
        found.append(f"/{collection}")
        ids = record_ids(bench, collection)
        if sample:
            ids = ids[:: max(1, len(ids) // sample)][:sample]
        found += [f"/{collection}/{record_id}" for record_id in ids]
        for record_id in ids[:3]:
            found += [f"/{collection}/{record_id}/claims", f"/{collection}/{record_id}/history"]
    following = document(bench, "/claims?limit=5").get("next")
    version = document(bench, "/dataset").get("version")
    person = next(url for url in found if url.startswith("/people/"))
    found += [following] if following else []
    found += [f"/people?release={version}", f"/events?release={version}"]
    found += [f"{person}?release={version}", f"{person}?lang=fa"]
    return found


def snapshot(response: Any) -> bytes:
    """Status, headers and body, as they are compared."""
    head = {"status": response.status_code, "headers": dict(sorted(response.headers.items()))}
    body = response.body if isinstance(response.body, bytes) else response.body.encode()
    return json.dumps(head, sort_keys=True).encode() + b"\n" + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", help="a folder store or s3:// URL")
    parser.add_argument("mode", choices=("save", "check"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="records per collection (0: all)")
    args = parser.parse_args(argv)
    bench = warm.Bench(args.store)
    differ = 0
    try:
        pages = urls(bench, args.sample)
        args.folder.mkdir(parents=True, exist_ok=True)
        for url in pages:
            for lang in ("en", "fa"):
                key = hashlib.sha1(f"{lang} {url}".encode()).hexdigest()
                got, path = snapshot(answer(bench, url, lang)), args.folder / key
                if args.mode == "save":
                    path.write_bytes(got)
                elif not path.exists() or path.read_bytes() != got:
                    differ += 1
                    print(f"differs: {lang} {url}", file=sys.stderr)
                    (args.folder.parent / f"diff-{key}").write_bytes(got)
    finally:
        bench.close()
    print(f"{args.mode}: {len(pages) * 2} pages, {differ} differ", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
