"""List queries as pure functions: parse parameters, filter, search, sort, keyset-paginate.

Nothing here touches HTTP or storage: ``run_list`` takes a loaded ``CollectionIndex`` and a
parsed ``ListQuery`` and returns record bytes plus a cursor. Which parameters a collection takes,
and how it sorts, comes from ``chalicelib.model.kinds``.

Pagination is by keyset. A cursor holds the position (rank, in the ascending order of the chosen
sort) of the last record it returned, so the next page starts by bisecting or indexing to that
position: page 1,000 costs what page 1 costs. Cursors are HMAC-signed with a key derived from the
optional ``CURSOR_SECRET`` and the release version, and the signature covers a digest of the query.
A cursor therefore only works for the release and the parameters it was made for: ranks are
positions in one release's index, and would silently skip or repeat records on another. Without
a secret the signature still catches corruption and reuse, though anyone reading this code could
forge one; a forged cursor can only jump to a position in public data, so that is acceptable.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import repeat
from typing import TYPE_CHECKING, Any

from chalicelib.errors import BadParameter, UnknownCursor
from chalicelib.model import edtf
from chalicelib.model.kinds import Kind, split_reference
from chalicelib.model.ordering import OPEN_END, OPEN_START, day_number
from chalicelib.serve.cursors import CURSOR as _CURSOR
from chalicelib.serve.cursors import CURSOR_VERSION as _CURSOR_VERSION
from chalicelib.serve.cursors import TAG_BYTES as _TAG_BYTES
from chalicelib.serve.limits import BLANK_PATTERN, DEFAULT_LIMIT, MAX_LIMIT, SEARCH_WORDS_PATTERN
from chalicelib.serve.params import one_each, repeated

if TYPE_CHECKING:  # annotations only: the views hand query a loaded index
    from chalicelib.release.index import CollectionIndex

COMMON_PARAMS = ("q", "sort", "limit", "cursor", "date_from", "date_to", "release")
# Under 1/_DENSE of the collection, a match set is ordered by sorting its ranks (O(m log m) in
# Python, once per query); above, a bitmap over ranks costs O(m) in C and a byte per record.
_DENSE = 64


@dataclass(frozen=True)
class ListQuery:
    """A parsed list request. ``span`` is (start, end) day numbers when a date filter is set."""

    kind: Kind
    filters: tuple[tuple[str, str], ...] = ()
    q: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    span: tuple[int, int] | None = None
    sort: str = "id"
    descending: bool = False
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    refers_to: str | None = None  # see refer_to

    @property
    def constrained(self) -> bool:
        """True when some records may be left out (a filter, q, a date or refers_to)."""
        return bool(
            self.filters
            or self.q is not None
            or self.span is not None
            or self.refers_to is not None
        )

    @property
    def match_key(self) -> tuple:
        """What selects records (not their order): the key of cached match sets."""
        return (self.filters, self.q, self.date_from, self.date_to, self.refers_to)

    @cached_property
    def digest(self) -> bytes:
        """Digest of everything a cursor depends on: what is selected and in which order."""
        # repr of a tuple of str/bool/None is stable across processes and platforms.
        text = repr((self.kind.name, self.match_key, self.sort, self.descending))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


@dataclass
class Page:
    """One page: record JSON bytes, the cursor of the next page, and the match count if known."""

    items: list[bytes]
    next_cursor: str | None
    total: int | None = None


# --- parameters -------------------------------------------------------------------------------


def allowed_params(kind: Kind) -> tuple[str, ...]:
    """Every query parameter the list route of ``kind`` accepts."""
    return COMMON_PARAMS + tuple(f.param for f in kind.filters)


_WORDS = re.compile(SEARCH_WORDS_PATTERN)
_BLANK = re.compile(BLANK_PATTERN)


def search_words(q: str | None) -> str | None:
    """``q`` as a search: None when absent or blank (what an empty search form sends), else
    ``q`` itself, or BadParameter when it cannot be a search: no letter or digit to look for
    ('!!'), or bytes that were not UTF-8, which would otherwise search for nothing and answer
    every record."""
    if q is None or _BLANK.search(q):
        return None
    if "\ufffd" in q:
        raise BadParameter("q", "is not UTF-8 text; send the words percent-encoded as UTF-8")
    if not _WORDS.search(q):
        raise BadParameter("q", "has no letter or digit to search for")
    return q


def parse_list_params(kind: Kind, params: Mapping[str, list[str]] | None) -> ListQuery:
    """Parse a list route's multi-valued query parameters, or raise ``BadParameter``."""
    params, many = repeated(params, (f.param for f in kind.filters if f.repeatable))
    one = one_each(params, allowed_params(kind), f"/{kind.collection}")

    filters = tuple(
        sorted(
            [(f.param, _filter_value(f, one[f.param])) for f in kind.filters if f.param in one]
            + [(name, _filter_value(kind.filter(name), v)) for name, vs in many.items() for v in vs]
        )
    )
    q = search_words(one.get("q"))
    sort, descending = _sort(kind, one.get("sort", "id"))
    span = _span(kind, one.get("date_from"), one.get("date_to"))
    cursor = one.get("cursor")
    if cursor is not None and not cursor:
        raise BadParameter("cursor", "is empty; omit it to start from the first page")
    return ListQuery(
        kind,
        filters,
        q,
        one.get("date_from"),
        one.get("date_to"),
        span,
        sort,
        descending,
        _limit(one.get("limit")),
        cursor,
    )


def check_vocabulary(query: ListQuery, vocabularies: Mapping[str, Sequence[str]]) -> None:
    """``BadParameter`` naming the filter, and listing its values, when ``query`` gives a closed
    filter (``vocabularies``: param -> allowed values, from the release's schemas) a value
    outside it: such a filter could only answer an empty page, which reads as 'none exist'."""
    for param, value in query.filters:
        allowed = vocabularies.get(param)
        if allowed is not None and value not in allowed:
            raise BadParameter(param, f"must be one of {', '.join(allowed)}")


def refer_to(query: ListQuery, reference: str) -> ListQuery:
    """``query`` narrowed to records that refer to ``reference`` ('people/x') through any of
    their kind's reference filters: for claims, the subject, value, claimed_by or a citation.
    Backs ``/<collection>/<id>/claims``; the cursor binds it like any filter."""
    target = split_reference(reference)
    if target is None:
        raise ValueError(f"{reference!r} is not a reference")
    return replace(query, refers_to=reference)


def _filter_value(f, value: str) -> str:
    if not value:
        raise BadParameter(f.param, "is empty")
    reference = split_reference(value)
    if f.references and reference and reference[0] not in f.references:
        raise BadParameter(
            f.param, f"must refer to {' or '.join(f.references)}, not {reference[0]}"
        )
    return value


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise BadParameter("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def _sort(kind: Kind, text: str) -> tuple[str, bool]:
    key = text.removeprefix("-")
    if key not in ("id",) + kind.sorts:
        keys = ", ".join(("id",) + kind.sorts)
        raise BadParameter("sort", f"must be one of {keys}, each optionally prefixed by '-'")
    return key, text.startswith("-")


def _span(kind: Kind, date_from: str | None, date_to: str | None) -> tuple[int, int] | None:
    if date_from is None and date_to is None:
        return None
    if not kind.span_fields:
        name = "date_from" if date_from is not None else "date_to"
        raise BadParameter(name, f"{kind.collection} have no dates to filter on")
    start, end = OPEN_START, OPEN_END
    for name, text in (("date_from", date_from), ("date_to", date_to)):
        if text is None:
            continue
        try:
            earliest, latest = edtf.bounds(text)
        except edtf.EDTFError as error:
            raise BadParameter(name, str(error)) from None
        if name == "date_from":
            start = day_number(earliest, OPEN_START)
        else:
            end = day_number(latest, OPEN_END)
    # date_from and date_to are separate conditions (a span reaching to or past date_from, one
    # starting by date_to), so date_to before date_from is no contradiction: it selects the
    # records whose span covers the whole gap between them. ``overlapping`` answers that as is.
    return start, end


# --- cursors ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _cursor_key(secret: str, release: str) -> bytes:
    return hmac.new(secret.encode(), b"cursor\0" + release.encode(), hashlib.sha256).digest()


def _tag(body: bytes, query: ListQuery, release: str) -> bytes:
    key = _cursor_key(os.environ.get("CURSOR_SECRET", ""), release)
    return hmac.digest(key, body + query.digest, "sha256")[:_TAG_BYTES]


def encode_cursor(position: int, query: ListQuery, release: str) -> str:
    """An opaque, URL-safe cursor for the page after ``position`` of ``query`` in ``release``."""
    body = _CURSOR.pack(_CURSOR_VERSION, position)
    return base64.urlsafe_b64encode(body + _tag(body, query, release)).rstrip(b"=").decode()


def decode_cursor(cursor: str, query: ListQuery, release: str) -> int:
    """The position inside ``cursor``, if ``encode_cursor`` made it for this same query and
    release, unaltered. ``BadParameter('cursor')`` for text of another shape than
    ``CURSOR_PATTERN``; ``UnknownCursor`` for one of that shape not made here (the page it
    names does not exist), which is all a client reading the pattern can tell apart."""
    malformed = BadParameter(
        "cursor",
        "is not a cursor this API makes; follow 'next' links unchanged, or start without a cursor",
    )
    if len(cursor) > 64:
        raise malformed
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raise malformed from None
    # Only the exact text encode_cursor made: base64 would also accept padding, and other
    # spare bits in the last character, for the same bytes.
    if (
        len(raw) != _CURSOR.size + _TAG_BYTES
        or not cursor.isascii()
        or base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != cursor
    ):
        raise malformed
    body, tag = raw[: _CURSOR.size], raw[_CURSOR.size :]
    version, position = _CURSOR.unpack(body)
    if version != _CURSOR_VERSION or not hmac.compare_digest(tag, _tag(body, query, release)):
        raise UnknownCursor(
            "is not a cursor this query made in this release; "
            "follow 'next' links unchanged, or start without a cursor"
        )
    return position


# --- running a query --------------------------------------------------------------------------


def run_list(index: CollectionIndex, query: ListQuery, release: str) -> Page:
    """The page of ``query`` after its cursor, as record bytes plus the next cursor (or None)."""
    after = decode_cursor(query.cursor, query, release) if query.cursor else None
    if after is not None and after >= index.count:
        raise BadParameter("cursor", "points past the end of this collection")
    want = query.limit + 1  # one extra tells whether a next page exists
    total: int | None = index.count
    if not query.constrained:
        ordinals = _walk_all(index, query, after, want)
    elif _first_search_page(query, after):
        ordinals, total = index.search(query.q or "", want), None
    else:
        matches = _matches(index, query)
        total = len(matches)
        ordinals = _walk_matches(index, query, matches, after, want)
    more = len(ordinals) > query.limit
    ordinals = ordinals[: query.limit]
    cursor = None
    if more:
        cursor = encode_cursor(index.rank_of(query.sort, ordinals[-1]), query, release)
    return Page(index.records(ordinals), cursor, total)


def _first_search_page(query: ListQuery, after: int | None) -> bool:
    # The trigram index returns the smallest matching ordinals first, which is exactly the first
    # page in id order, without verifying every candidate of a common name.
    return (
        after is None
        and query.q is not None
        and not query.filters
        and query.span is None
        and query.refers_to is None
        and query.sort == "id"
        and not query.descending
    )


def _walk_all(index, query: ListQuery, after: int | None, want: int) -> list[int]:
    n, perm = index.count, index.order(query.sort)
    if query.descending:
        stop = n if after is None else after
        positions = range(stop - 1, max(stop - want, 0) - 1, -1)
    else:
        start = 0 if after is None else after + 1
        positions = range(start, min(start + want, n))
    return list(positions) if perm is None else [perm[p] for p in positions]


def _walk_matches(
    index, query: ListQuery, matches: Sequence[int], after: int | None, want: int
) -> list[int]:
    if query.sort == "id":
        return _slice_after(matches, after, want, query.descending)
    ordered = _ordered_matches(index, query, matches)
    perm = index.order(query.sort)
    if isinstance(ordered, bytearray):
        return [perm[r] for r in _set_bytes_after(ordered, after, want, query.descending)]
    return [perm[r] for r in _slice_after(ordered, after, want, query.descending)]


def _set_bytes_after(
    bitmap: bytearray, after: int | None, want: int, descending: bool
) -> list[int]:
    """Up to ``want`` positions of non-zero bytes beyond ``after`` in the walk's direction."""
    # find/rfind run memchr in C, so the gaps between matches cost next to nothing: a page
    # costs ``want`` calls whatever the density of the matches.
    found: list[int] = []
    if descending:
        r = bitmap.rfind(1, 0, len(bitmap) if after is None else after)
        while r != -1 and len(found) < want:
            found.append(r)
            r = bitmap.rfind(1, 0, r)
    else:
        r = bitmap.find(1, 0 if after is None else after + 1)
        while r != -1 and len(found) < want:
            found.append(r)
            r = bitmap.find(1, r + 1)
    return found


def _slice_after(
    ascending: Sequence[int], after: int | None, want: int, descending: bool
) -> list[int]:
    """Up to ``want`` values of sorted ``ascending`` beyond ``after`` in the walk's direction."""
    if descending:
        stop = len(ascending) if after is None else bisect_left(ascending, after)
        return list(ascending[max(stop - want, 0) : stop])[::-1]
    start = 0 if after is None else bisect_right(ascending, after)
    return list(ascending[start : start + want])


def _ordered_matches(index, query: ListQuery, matches: Sequence[int]) -> Any:
    """The ranks of ``matches`` in the query's sort: sorted, or as a bitmap over ranks when many."""
    key = (query.match_key, query.sort)
    found = index.memo.get(key)
    if found is None:
        ranks = index.ranks(query.sort)
        if len(matches) * _DENSE < index.count:
            found = array("I", sorted(map(ranks.__getitem__, matches)))
            index.memo.put(key, found, len(found))
        else:
            found = bytearray(index.count)
            # Sets found[rank[o]] = 1 for every match, looping in C rather than in Python.
            deque(map(found.__setitem__, map(ranks.__getitem__, matches), repeat(1)), 0)
            index.memo.put(key, found, index.count // 4)
    return found


def _matches(index, query: ListQuery) -> Sequence[int]:
    """Sorted ordinals of the records every filter, the dates and ``q`` select."""
    if len(query.filters) == 1 and query.match_key[1:] == (None,) * 4:
        return _filter_posting(index, *query.filters[0])  # a view into the index: nothing to cache
    found = index.memo.get(query.match_key)
    if found is None:
        parts = [_filter_posting(index, param, value) for param, value in query.filters]
        if query.refers_to is not None:
            parts.append(_referring(index, query.refers_to))
        if query.span is not None:
            parts.append(index.overlapping(*query.span))
        if query.q is not None:
            parts.append(index.search(query.q))
        found = array("I", _intersect(parts))
        index.memo.put(query.match_key, found, len(found))
    return found


def _filter_posting(index, param: str, value: str) -> Sequence[int]:
    """Ordinals matching one filter. A bare id on a reference filter means any collection the
    filter may refer to ('tehran' on ``within`` is 'places/tehran')."""
    f = index.kind.filter(param)
    if not f.references or "/" in value:
        return index.posting(param, value)
    candidates = [value] + [f"{collection}/{value}" for collection in f.references]
    runs = [r for r in map(index.posting, repeat(param), candidates) if len(r)]
    if len(runs) <= 1:
        return runs[0] if runs else ()
    return sorted(set().union(*runs))


def _referring(index, reference: str) -> Sequence[int]:
    """Ordinals of records holding ``reference`` in any reference filter that may point there."""
    collection = reference.partition("/")[0]
    runs = [
        index.posting(f.param, reference) for f in index.kind.filters if collection in f.references
    ]
    return sorted(set().union(*runs))


def _intersect(parts: list[Sequence[int]]) -> Sequence[int]:
    """The sorted ordinals common to every sorted sequence in ``parts``, smallest first."""
    parts = sorted(parts, key=len)
    found: Sequence[int] = parts[0]
    for other in parts[1:]:
        if not len(found):
            break
        if len(found) * 16 < len(other):  # few candidates: bisect for each in the long run
            found = [o for o in found if _contains(other, o)]
        else:  # comparable sizes: let a set intersect in C
            found = sorted(set(found).intersection(other))
    return found


def _contains(ascending: Sequence[int], value: int) -> bool:
    i = bisect_left(ascending, value)
    return i < len(ascending) and ascending[i] == value


def render_page(page: Page, next_url: str | None, release: str) -> bytes:
    """The list response body ``{"items":[...],"next":...,"release":...}``, joining the records'
    stored bytes rather than parsing and re-serializing them."""
    return b"".join(
        (
            b'{"items":[',
            b",".join(page.items),
            b'],"next":',
            json.dumps(next_url, ensure_ascii=False).encode(),
            b',"release":',
            json.dumps(release, ensure_ascii=False).encode(),
            b"}",
        )
    )
