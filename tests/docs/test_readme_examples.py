"""The README's example outputs are what the local server answers today (devserver.readme_examples
regenerates them, as ``cog`` regenerates a README's snippets)."""

from __future__ import annotations

import json
import shutil

import pytest

from devserver import readme_examples
from devserver.readme_examples import condensed, condensed_json, local_server, regenerated


@pytest.mark.skipif(not shutil.which("curl"), reason="the README's examples are curl commands")
def test_every_readme_example_output_is_what_the_local_server_answers():
    readme = readme_examples.README.read_text(encoding="utf-8")
    with local_server() as (base, scratch):
        current = regenerated(readme, base, scratch)
    stale = readme_examples.stale_examples(readme, current)
    assert stale == [], f"run `python -m devserver.readme_examples`; out of date: {stale}"


def test_the_readme_counts_the_people_the_data_holds():
    readme = readme_examples.README.read_text(encoding="utf-8")
    people = len(list((readme_examples.ROOT / "data" / "people").glob("*.json")))
    assert f'"count": {people},' in readme


def test_condensing_cuts_long_lists_objects_and_strings_and_marks_each_cut():
    shown = condensed_json({"items": [1, 2, 3], "text": "x" * 100, "short": [1, 2]})
    # Too wide for one line, so one member a line.
    assert shown.split("\n") == [
        "{",
        '  "items": [1, 2, …],',
        '  "text": "' + "x" * 80 + '…",',
        '  "short": [1, 2]',
        "}",
    ]
    assert condensed_json({str(n): n for n in range(8)}).endswith('"5": 5, …}')


def test_condensing_a_response_keeps_its_status_and_the_headers_that_matter():
    response = 'HTTP/1.0 200 OK\r\nDate: x\r\nETag: "a"\r\nServer: y\r\n\r\n{"id": "x"}'
    assert condensed(response) == 'HTTP/1.0 200 OK\nETag: "a"\n…\n\n{"id": "x"}'


def test_a_new_release_id_alone_does_not_make_an_example_stale():
    """A commit to data/ gives the release a new version, time and cursors; the outputs stay
    current. A changed figure still makes the example stale."""

    def readme(release: str, at: str, count: int) -> str:
        answer = json.dumps({"release": release, "published": at, "count": count})
        return f"```sh\ncurl -s http://127.0.0.1:8000/\n```\n```json\n{answer}\n```\n"

    before = readme("20261207-0e55ce78", "2026-12-07T02:00:05Z", 139)
    renamed = readme("20261208-38344063", "2026-12-08T09:30:00Z", 139)
    recounted = readme("20261208-38344063", "2026-12-08T09:30:00Z", 140)
    assert readme_examples.stale_examples(before, renamed) == []
    assert readme_examples.stale_examples(before, recounted) == ["curl -s http://127.0.0.1:8000/"]
