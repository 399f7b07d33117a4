"""The JSON documents a page is rendered from, asked of the views exactly as the API asks them.

A page never reads the store, ``data/`` or anything else around the views: what a record page
shows of another record (a claimant's name, a source's title) is that record's own JSON answer,
and what the JSON API would not show, no page can.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from chalicelib.model.kinds import BY_COLLECTION
from chalicelib.serve import views
from chalicelib.serve.facets import facets
from chalicelib.serve.pages.negotiation import JSON_TYPES
from chalicelib.serve.request import Request
from chalicelib.serve.responses import Finished, Reply
from chalicelib.serve.service import Service

CLAIMS_SHOWN = 500  # the claims list's largest page


def parsed(answer: Finished | Reply) -> dict | None:
    if not answer.content_type.startswith(JSON_TYPES):
        return None
    try:
        return json.loads(answer.body)
    except ValueError:
        return None


class _Moved(Exception):
    """A record read while the current release changed: shown, not kept."""

    def __init__(self, document: dict | None):
        super().__init__()
        self.document = document


class Documents:
    """The views, asked on behalf of one page, pinned to the page's release if it is pinned."""

    def __init__(self, service: Service, params: Mapping[str, list[str]]):
        self.service = service
        self.pinned = {"release": params["release"]} if "release" in params else {}
        self._records: dict[str, dict | None] = {}

    def _request(self, path: str, params: Mapping[str, list[str]]) -> Request:
        return Request(path, params, self.service)

    def record(self, ref: str) -> dict | None:
        """The live record ``ref`` ('people/x') names, as ``GET /people/x`` answers it."""
        if ref not in self._records:
            self._records[ref] = self._record(ref)
        return self._records[ref]

    def _record(self, ref: str) -> dict | None:
        collection, _, record_id = ref.partition("/")
        request = self._request(f"/{ref}", self.pinned)
        try:
            return self._shared(
                ("record", ref), request, lambda: views.get_record(request, collection, record_id)
            )
        except Exception:  # a dangling or malformed reference: shown as its id
            return None

    def _shared(
        self, key: tuple[str, ...], request: Request, answer: Callable[[], Finished]
    ) -> dict | None:
        """The parsed 200 answer ``answer()`` gives, parsed once per release and process
        (``Service.document``): shared between pages, so no page may change it."""
        try:
            release, _ = request.release()
        except Exception:  # an unknown release: the page itself answers for it
            return None

        def make() -> tuple[dict | None, int]:
            finished = answer()
            document = parsed(finished) if finished.status == 200 else None
            if request.release()[0] is not release:
                # current.json moved on between the two looks: nothing is kept under either.
                raise _Moved(document)
            return document, len(finished.body)

        try:
            return self.service.document(key, release, make)
        except _Moved as moved:
            return moved.document

    def claims_about(self, collection: str, record_id: str) -> dict:
        request = self._request(
            f"/{collection}/{record_id}/claims", {"limit": [str(CLAIMS_SHOWN)], **self.pinned}
        )
        return parsed(views.record_claims(request, collection, record_id)) or {}

    def listing(self, collection: str, params: Mapping[str, list[str]]) -> dict:
        request = self._request(f"/{collection}", dict(params))
        return parsed(views.list_records(request, collection)) or {}

    def shared_listing(self, collection: str, params: Mapping[str, list[str]]) -> dict:
        """``listing``, parsed once per release: for a listing many pages read whole (the
        map's places and killings). Shared between pages, so no page may change it."""
        request = self._request(f"/{collection}", {**params, **self.pinned})
        key = ("listing", *request.key)
        return self._shared(key, request, lambda: views.list_records(request, collection)) or {}

    def dataset(self) -> dict:
        return parsed(views.get_dataset(self._request("/dataset", self.pinned))) or {}

    def releases(self) -> dict:
        return parsed(views.list_releases(self._request("/dataset/releases", {}))) or {}

    def facets(self, collection: str, params: Mapping[str, list[str]]) -> dict:
        return facets(self._request(f"/{collection}", dict(params)), collection)


def title_of(record: Mapping, collection: str, lang: str) -> str:
    """A record's title in the page's language: a Persian-script name first on a Persian page."""
    kind = BY_COLLECTION[collection]
    if lang == "fa":
        for name in record.get("names") or ():
            if isinstance(name, dict) and (
                name.get("script") == "Arab" or name.get("lang") == "fa"
            ):
                return str(name.get("name", ""))
    title = record.get(kind.title_field)
    if collection == "claims":
        return f"{record.get('subject', '')} · {record.get('property', '')}"
    return str(title if title is not None else record.get("id", ""))
