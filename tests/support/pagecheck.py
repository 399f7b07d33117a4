"""Checks on rendered pages shared by the page tests."""

from __future__ import annotations

from html.parser import HTMLParser


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_inert(body: str) -> None:
    """No script, no event handler and no javascript: link reached the page."""
    parser = Tags()
    parser.feed(body)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "img", "iframe", "object"), tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "formaction"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:")), value
