""" "Cite this record": plain text, BibTeX and CSL-JSON, each naming the release it was read from."""

from __future__ import annotations

import json
import re

# An ISO 8601 timestamp's year, and its calendar date: '2026-11-27T10:00:00Z'.
YEAR_CHARS, DATE_CHARS = len("2026"), len("2026-11-27")


def citations(
    *, title: str, collection: str, record_id: str, url: str, dataset: dict
) -> dict[str, str]:
    """The three forms for one record of the release ``dataset`` (the /dataset document)."""
    version = dataset.get("version", "")
    name = dataset.get("title") or "1988 prison massacres records"
    published = str(dataset.get("published") or "")
    year = published[:YEAR_CHARS]
    text = f'"{title}". {name}, release {version}'
    text += f" ({published[:DATE_CHARS]})." if published else "."
    text += f" {url}"
    key = re.sub(r"[^a-z0-9]+", "-", f"iran1988-{record_id}-{version}".lower()).strip("-")
    bibtex = "\n".join(
        [
            f"@misc{{{key},",
            f"  title = {{{_bib(title)}}},",
            f"  howpublished = {{{_bib(name)}, release {_bib(version)}}},",
            *([f"  year = {{{year}}},"] if year else []),
            f"  url = {{{_bib(url)}}},",
            f"  note = {{{collection}/{record_id}; release {_bib(version)}}}",
            "}",
        ]
    )
    csl = {
        "id": key,
        "type": "dataset",
        "title": title,
        "container-title": name,
        "version": version,
        "URL": url,
        **({"issued": {"date-parts": [[int(year)]]}} if year.isdigit() else {}),
    }
    return {
        "text": text,
        "bibtex": bibtex,
        "csl": json.dumps(csl, ensure_ascii=False, indent=2),
    }


def _bib(text: str) -> str:
    """BibTeX braces and backslashes escaped, so a title cannot close the field early."""
    return re.sub(r"([{}\\])", r"\\\1", str(text))
