"""A compact trigram substring index for ``q=``.

``TrigramIndex`` finds the documents in which a folded form of the query is a substring of a
folded form of a text; which spellings fold alike is ``chalicelib.model.folding``'s to say.
Standard library only, so it loads fast in Lambda.
"""

from __future__ import annotations

import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from heapq import nlargest
from itertools import accumulate

from chalicelib.model.folding import query_forms, text_forms

__all__ = ["TrigramBuilder", "TrigramIndex", "folded_texts"]


def _trigrams(folded: str) -> set[str]:
    return {folded[i : i + 3] for i in range(len(folded) - 2)}


def _keys_of(folded: str) -> set[str]:
    # A text shorter than three characters is its own key, so that every folded text is covered
    # by keys and short queries can be answered from the keys alone.
    return _trigrams(folded) if len(folded) >= 3 else {folded}


_MAGIC = b"TRIGRAM1"
_HEADER = struct.Struct("<8sIIQQQ")  # magic, docs, keys, key bytes, postings, blob bytes
_U32 = 0xFFFFFFFF


def _u32_array(values: Iterable[int]) -> array:
    a = array("I", values)
    if a.itemsize != 4:  # pragma: no cover - every platform Lambda runs on has a 4-byte int
        raise RuntimeError("array('I') is not 4 bytes on this platform")
    return a


def _le_bytes(a) -> bytes | memoryview:
    """Little-endian bytes of a uint32 array or memoryview: on a little-endian host, a view of
    its buffer, not a copy (a million claims' postings are a few hundred megabytes)."""
    if sys.byteorder == "little":
        return memoryview(a).cast("B")
    b = array("I", a)  # pragma: no cover - big-endian hosts only
    b.byteswap()  # pragma: no cover
    return b.tobytes()  # pragma: no cover


class TrigramIndex:
    """Substring search over the folded texts of documents numbered 0..n-1.

    Storage is flat so a million documents stay within a few hundred MB and load without parsing:
    postings are one ``uint32`` array (sorted trigram keys, each with a slice of ordinals in
    ascending order), and the folded texts are one UTF-8 blob in which each document's texts are
    joined by ``\\n`` and followed by ``\\n``. A folded query never contains ``\\n``, so a match
    found inside a document's slice of the blob is a match inside one of its texts.
    """

    _SHORT_UNION_MAX = 1 << 16  # postings a short query may union before it scans instead

    def __init__(self, docs: Iterable[tuple[int, Iterable[str]]] = ()):
        """Index ``(ordinal, texts)`` pairs; ordinals must be 0, 1, 2, … in that order."""
        builder = TrigramBuilder()
        for ordinal, texts in docs:
            builder.add(ordinal, folded_texts(texts))
        self._set(*builder.parts())

    def _set(self, keys, starts, flat, offsets, blob: bytes, base: int) -> None:
        self._slot = {k: i for i, k in enumerate(keys)}
        self._keys = keys
        self._starts = starts
        self._flat = flat
        self._offsets = offsets
        self._blob = blob
        self._base = base  # where the folded texts start inside self._blob
        self._key_text: str | None = None  # built on the first short query only
        self._key_pos: list[int] = []

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def texts(self, ordinal: int) -> list[str]:
        """The distinct folded texts of one document (for debugging and tests)."""
        lo, hi = self._offsets[ordinal], self._offsets[ordinal + 1]
        seg = self._blob[self._base + lo : self._base + hi - 1].decode("utf-8")
        return seg.split("\n") if seg else []

    def search(self, query: str, limit: int | None = None) -> list[int]:
        """Ascending ordinals of documents where a form of ``query`` (``folding.query_forms``)
        is a substring of a folded text.

        At most ``limit`` ordinals (the smallest ones) when ``limit`` is given. A query that folds
        to nothing matches nothing. One shorter than three characters cannot use trigrams: it is
        answered from the keys that contain it when they are few, else by a scan of the texts.
        """
        forms = query_forms(query)
        if not forms or limit == 0:
            return []
        if len(forms) == 1:
            return self._search(forms[0], limit)
        # Each form's answer holds its smallest matches, so the smallest of their union are
        # the smallest matches of any form.
        found = sorted(set().union(*(self._search(q, limit) for q in forms)))
        return found if limit is None else found[:limit]

    def _search(self, q: str, limit: int | None) -> list[int]:
        needle = q.encode("utf-8")
        if len(q) < 3:
            return self._short(q, needle, limit)
        lists = []
        for g in _trigrams(q):
            i = self._slot.get(g)
            if i is None:
                return []  # a trigram nobody has: no need to look at the others
            lists.append(self._flat[self._starts[i] : self._starts[i + 1]])
        lists.sort(key=len)
        first, rest = lists[0], lists[1:]
        out: list[int] = []
        # With a limit, intersect the smallest posting a chunk at a time (doubling), so a common
        # name stops after the first chunk instead of intersecting tens of thousands of ordinals.
        step = max(64, 4 * limit) if limit else len(first)
        i = 0
        while i < len(first):
            cand = _intersect(first[i : i + step], rest)
            i += step
            step *= 2
            out += self._verify(needle, cand, None if limit is None else limit - len(out))
            if limit is not None and len(out) >= limit:
                break
        return out

    def sharing(self, query: str, limit: int, budget: int = 1 << 18) -> list[int]:
        """Up to ``limit`` ordinals of the documents sharing the most trigrams with the query's forms,
        most first (ties by ordinal): the candidates of a fuzzy match, where a substring search
        would miss "Mohamadi Pour" for "Pourmohammadi".

        The rarest trigrams are counted first, and the count stops once it has read ``budget``
        postings, so a query made of common trigrams costs a bounded time at any size; the
        caller scores the candidates exactly.
        """
        forms = query_forms(query)
        if limit <= 0 or not forms or all(len(q) < 3 for q in forms):
            return self.search(query, limit) if forms and limit > 0 else []
        postings = []
        for g in set().union(*map(_trigrams, forms)):
            i = self._slot.get(g)
            if i is not None:
                postings.append(self._flat[self._starts[i] : self._starts[i + 1]])
        postings.sort(key=len)
        counts: Counter[int] = Counter()
        spent = 0
        for p in postings:
            if spent and spent + len(p) > budget:
                break
            counts.update(p)  # counts in C
            spent += len(p)
        return [o for o, _ in nlargest(limit, counts.items(), key=lambda item: (item[1], -item[0]))]

    def _verify(self, needle: bytes, cand, limit: int | None) -> list[int]:
        # Trigrams only filter: "abcxbcd" has every trigram of "abcd" but does not contain it.
        out = []
        find, offsets, base = self._blob.find, self._offsets, self._base
        for c in cand:
            if find(needle, base + offsets[c], base + offsets[c + 1]) != -1:
                out.append(c)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def _short(self, q: str, needle: bytes, limit: int | None) -> list[int]:
        # A key containing q is a substring of a text, and a text containing q has a key containing
        # q (one of its trigrams, or itself if shorter than 3), so the union of the postings of
        # those keys is the exact answer. Use it when it is small; a rare or absent short query
        # then costs microseconds, where a scan of a million documents' texts costs tens of ms.
        if self._key_text is None:
            self._key_pos = list(accumulate((len(k) + 1 for k in self._keys), initial=0))
            self._key_text = "\n".join(self._keys)
        found, total = [], 0
        pos = self._key_text.find(q)
        while pos != -1:
            i = bisect_right(self._key_pos, pos) - 1
            p = self._flat[self._starts[i] : self._starts[i + 1]]
            total += len(p)
            if total > self._SHORT_UNION_MAX:
                return self._scan(needle, limit)  # q is common, so a scan soon fills a page
            found.append(p)
            pos = self._key_text.find(q, self._key_pos[i + 1])
        return sorted(set().union(*found))[:limit]

    def _scan(self, needle: bytes, limit: int | None) -> list[int]:
        out = []
        find, offsets, base = self._blob.find, self._offsets, self._base
        end = base + offsets[-1]
        pos = find(needle, base, end)
        while pos != -1:
            doc = bisect_right(offsets, pos - base) - 1
            out.append(doc)
            if limit is not None and len(out) >= limit:
                break
            pos = find(needle, base + offsets[doc + 1], end)  # skip the rest of this document
        return out

    def to_bytes(self) -> bytes:
        """Serialize to a compact, deterministic form: equal input gives identical bytes."""
        return b"".join(self.to_chunks())

    def to_chunks(self) -> list[bytes | memoryview]:
        """``to_bytes`` in pieces, so that a writer can stream a large index without joining it."""
        keys = "\n".join(self._keys).encode("utf-8")
        parts: list[bytes | memoryview] = [
            _HEADER.pack(
                _MAGIC, len(self), len(self._keys), len(keys), len(self._flat), self._offsets[-1]
            )
        ]
        for chunk in (
            _le_bytes(self._offsets),
            _le_bytes(self._starts),
            _le_bytes(self._flat),
            keys,
        ):
            parts += [chunk, b"\0" * (-len(chunk) % 4)]  # keep each uint32 section 4-aligned
        parts.append(memoryview(self._blob)[self._base : self._base + self._offsets[-1]])
        return parts

    @classmethod
    def from_bytes(cls, data: bytes) -> TrigramIndex:
        """Load ``to_bytes`` output without copying the postings or texts (on little-endian hosts)."""
        data = bytes(data)
        if len(data) < _HEADER.size:
            raise ValueError("trigram index is truncated")
        magic, n_docs, n_keys, key_len, n_post, blob_len = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise ValueError("not a trigram index (bad magic)")
        pos = _HEADER.size
        view = memoryview(data)

        def u32(count: int):
            nonlocal pos
            raw = view[pos : pos + 4 * count]
            pos += 4 * count
            if sys.byteorder == "little":
                return raw.cast("I")
            a = array("I", raw.tobytes())  # pragma: no cover
            a.byteswap()  # pragma: no cover
            return a  # pragma: no cover

        expected = _HEADER.size + 4 * (n_docs + 1 + n_keys + 1 + n_post) + key_len
        expected += (-key_len % 4) + blob_len
        if len(data) != expected:
            raise ValueError(f"trigram index is {len(data)} bytes, its header promises {expected}")
        offsets, starts, flat = u32(n_docs + 1), u32(n_keys + 1), u32(n_post)
        keys = data[pos : pos + key_len].decode("utf-8").split("\n") if n_keys else []
        pos += key_len + (-key_len % 4)
        if len(keys) != n_keys or offsets[-1] != blob_len or starts[-1] != n_post:
            raise ValueError("trigram index is inconsistent with its header")
        self = cls.__new__(cls)
        self._set(keys, starts, flat, offsets, data, pos)
        return self


def folded_texts(texts: Iterable[str]) -> list[str]:
    """A document's texts as the index keeps them: each text's folded forms
    (``folding.text_forms``), without repeated ones."""
    return list(dict.fromkeys(f for text in texts for f in text_forms(text)))  # dedupe, keep order


class TrigramBuilder:
    """Builds a ``TrigramIndex`` one document at a time, from texts already folded
    (``folded_texts``), so that the folding may run elsewhere, e.g. where records are read."""

    def __init__(self) -> None:
        self._postings: dict[str, array] = {}
        self._blob = bytearray()
        self._offsets = _u32_array([0])

    def add(self, ordinal: int, folded: list[str]) -> None:
        expected = len(self._offsets) - 1
        if ordinal != expected:
            raise ValueError(
                f"document ordinal {ordinal} given where {expected} was expected: "
                "ordinals must be dense and in ascending order"
            )
        grams: set[str] = set()
        for f in folded:
            grams |= _keys_of(f)
        postings = self._postings
        for g in grams:  # ordinals arrive ascending, so every posting stays sorted
            p = postings.get(g)
            if p is None:
                postings[g] = p = _u32_array(())
            p.append(ordinal)
        self._blob += "\n".join(folded).encode("utf-8") + b"\n"
        if len(self._blob) > _U32:
            raise ValueError("folded texts exceed 4 GiB")
        self._offsets.append(len(self._blob))

    def parts(self) -> tuple:
        """What ``TrigramIndex._set`` takes; the builder is spent afterwards."""
        postings = self._postings
        keys = sorted(postings)
        starts = _u32_array([0])
        flat = _u32_array(())
        for k in keys:
            flat.extend(postings.pop(k))  # pop as we go to keep the peak near one copy
            if len(flat) > _U32:
                raise ValueError("more than 2**32 postings")
            starts.append(len(flat))
        blob, self._blob = self._blob, bytearray()
        return keys, starts, flat, self._offsets, blob, 0

    def build(self) -> TrigramIndex:
        index = TrigramIndex.__new__(TrigramIndex)
        index._set(*self.parts())
        return index


def _intersect(cand, postings):
    """Ordinals of ``cand`` (sorted) present in every posting, or a superset once few remain."""
    if not len(cand):
        return cand
    lo, hi = cand[0], cand[-1]
    for p in postings:
        if len(cand) <= 16:
            break  # verifying a handful of candidates is exact and cheaper than intersecting
        a = bisect_left(p, lo)
        p = p[a : bisect_right(p, hi, a)]  # only the part of the posting this chunk can meet
        # Bisecting each candidate runs a Python loop; filtering a posting through a set runs
        # in C at roughly a quarter of the cost per element. Pick whichever costs less.
        if len(cand) * 4 < len(p):
            cand = [c for c in cand if _contains(p, c)]
        else:
            cand = sorted(set(cand).intersection(p))
        if not cand:
            break  # stop early: no document can match
    return cand


def _contains(sorted_seq, value: int) -> bool:
    i = bisect_left(sorted_seq, value)
    return i < len(sorted_seq) and sorted_seq[i] == value
