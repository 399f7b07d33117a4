"""A citation as scholars write it: title — publisher, date, with the publisher's affiliation,
the page and its archived copy. Read from the records' own JSON answers (``Documents``)."""

from __future__ import annotations

from chalicelib.serve.pages.documents import Documents


def described(docs: Documents, ref: object) -> dict | None:
    """What a citation of the source ``ref`` shows, or None if the source cannot be read."""
    if not isinstance(ref, str):
        return None
    source = docs.record(ref)
    if not source:
        return None
    publisher_ref = source.get("publisher")
    publisher = docs.record(publisher_ref) if isinstance(publisher_ref, str) else None
    return {
        "title": source.get("title", ref),
        "publisher": publisher_ref,
        "publisher_affiliation": (publisher or {}).get("affiliation"),
        "publisher_relation": (publisher or {}).get("relation"),
        "published": source.get("published"),
        "type": source.get("type"),
        "languages": source.get("languages") or [],
        "url": source.get("url"),
        "archive_url": source.get("archive_url"),
        "affiliation_note": source.get("affiliation_note"),
        "license": source.get("license"),
    }


def affiliation(docs: Documents, ref: object) -> str | None:
    """The organization an agent is affiliated with, where its record says so."""
    agent = docs.record(ref) if isinstance(ref, str) else None
    value = (agent or {}).get("affiliation")
    return value if isinstance(value, str) else None


def relation(docs: Documents, ref: object) -> str | None:
    """A person's or organization's relation to the events (the schema's closed vocabulary)."""
    agent = docs.record(ref) if isinstance(ref, str) else None
    value = (agent or {}).get("relation")
    return value if isinstance(value, str) else None
