"""Atom feeds (RFC 4287) of what each release changed, made from a release's ``history/``.

A feed reader, or a newsroom's tools, follow the record through them: the whole dataset, one
collection, or the claims about one record. Each entry is one event of ``history/changes/``
(a record added, changed, removed, withdrawn or merged by a release), newest release first,
linking to the record as that release served it. An entry's id is that link, so it never
changes; its time is the release's day, the first part of its version. Standard library only:
the serving layer renders a feed on request from the release's own history files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from chalicelib.media import ATOM

MAX_ENTRIES = 100  # a feed is a window on the newest changes; /dataset/changes has them all
AUTHOR = "Iran 1988 prison massacres records"


@dataclass(frozen=True)
class Entry:
    """One change: what a release did to one record."""

    release: str
    collection: str
    id: str
    action: str
    fields: tuple[str, ...] = ()
    merged_into: str | None = None

    @property
    def path(self) -> str:
        return f"/{self.collection}/{self.id}?release={self.release}"

    @property
    def title(self) -> str:
        title = f"{self.collection}/{self.id} {self.action}"
        return title + (f" into {self.merged_into}" if self.merged_into else "")

    @property
    def summary(self) -> str:
        said = f"Release {self.release}: {self.title}."
        if self.fields:
            said += " Fields changed: " + ", ".join(self.fields) + "."
        return said


def release_time(version: str) -> str:
    """The RFC 3339 time of a release: its day (the version's first part), at midnight UTC."""
    day = version[:8]
    return f"{day[:4]}-{day[4:6]}-{day[6:8]}T00:00:00Z"


def entries(
    chain: dict[str, Any],
    read_changes: Callable[[str], dict | None],
    keep: Callable[[dict], bool] = lambda event: True,
    limit: int = MAX_ENTRIES,
) -> list[Entry]:
    """The newest ``limit`` events of the chain that ``keep`` keeps, newest release first and
    in id order within a release. Reads only as many releases' changes as it needs."""
    out: list[Entry] = []
    for step in reversed(chain["releases"]):
        if len(out) >= limit:
            break
        changes = read_changes(step["version"]) or {"events": []}
        for event in changes["events"]:
            if keep(event):
                out.append(_entry(step["version"], event))
                if len(out) >= limit:
                    break
    return out


def _entry(version: str, event: dict) -> Entry:
    return Entry(
        version,
        event["collection"],
        event["id"],
        event["action"],
        tuple(event.get("fields", ())),
        event.get("merged_into"),
    )


def atom(
    base: str, self_path: str, alternate_path: str, title: str, updated: str, found: Iterable[Entry]
) -> bytes:
    """The feed's bytes: ``base`` (scheme and host) makes every link absolute, as Atom asks."""
    return "".join(_lines(base, self_path, alternate_path, title, updated, found)).encode("utf-8")


def _lines(
    base: str, self_path: str, alternate_path: str, title: str, updated: str, found: Iterable[Entry]
) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="utf-8"?>\n'
    yield '<feed xmlns="http://www.w3.org/2005/Atom">\n'
    yield f"  <id>{escape(base + self_path)}</id>\n"
    yield f"  <title>{escape(title)}</title>\n"
    yield f"  <updated>{updated}</updated>\n"
    yield f"  <author><name>{escape(AUTHOR)}</name></author>\n"
    yield f'  <link rel="self" type="{ATOM}" href={quoteattr(base + self_path)}/>\n'
    yield f'  <link rel="alternate" type="application/json" href={quoteattr(base + alternate_path)}/>\n'
    for entry in found:
        href = base + entry.path
        yield "  <entry>\n"
        yield f"    <id>{escape(href)}</id>\n"
        yield f"    <title>{escape(entry.title)}</title>\n"
        yield f"    <updated>{release_time(entry.release)}</updated>\n"
        yield f'    <link rel="alternate" type="application/json" href={quoteattr(href)}/>\n'
        yield f"    <category term={quoteattr(entry.action)}/>\n"
        yield f"    <summary>{escape(entry.summary)}</summary>\n"
        yield "  </entry>\n"
    yield "</feed>\n"
