"""The map of places: an SVG drawn from the release's places over a committed outline of Iran.

No tiles and no request outside the page: the outline (``geo/iran.json``, Natural Earth via
world-atlas, written by ``tools/geo/outline.py``) and the points are drawn into the page itself.
A pure function of the places and the counts, so a static renderer draws the same map.

A point placed at its own site is a filled dot; a point that only stands at the city the place
lies in is a dashed ring, so nobody reads it as the site's position. Places sharing one point
are fanned out around it, each still linking to its own record.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from markupsafe import Markup, escape

OUTLINE = Path(__file__).with_name("geo") / "iran.json"
WEST, EAST, SOUTH, NORTH = 43.5, 63.8, 24.8, 40.0
COS = math.cos(math.radians((SOUTH + NORTH) / 2))
FAN = 10  # pixels between places that share one point


@functools.cache
def outline() -> list[list[list[float]]]:
    return json.loads(OUTLINE.read_text(encoding="utf-8"))["rings"]


def _project(lon: float, lat: float, width: float, height: float) -> tuple[float, float]:
    x = (lon - WEST) / (EAST - WEST) * width
    y = (NORTH - lat) / (NORTH - SOUTH) * height
    return round(x, 1), round(y, 1)


def drawn(place: Mapping) -> bool:
    """Whether the map draws a place: a site or a city inside the map's frame."""
    point = place.get("coordinates")
    if not isinstance(point, Mapping) or point.get("basis") not in ("site", "city"):
        return False
    return WEST <= point["lon"] <= EAST and SOUTH <= point["lat"] <= NORTH


def svg(
    places: Sequence[Mapping],
    counts: Mapping[str, int],
    *,
    link,
    aria: str,
    caption,
    width: int = 640,
    highlight: str | None = None,
) -> Markup:
    """The map as inline SVG. ``link(place_id)`` gives a point's href, ``caption(place, n)`` its
    tooltip with ``n``, the number of victims killed there; ``aria`` names the whole map."""
    height = round(width * (NORTH - SOUTH) / ((EAST - WEST) * COS))
    paths = _outline_path(width, height)
    shown = [p for p in places if drawn(p)]
    groups: dict[tuple[float, float], list[Mapping]] = {}
    for place in sorted(shown, key=lambda p: p["id"]):
        point = place["coordinates"]
        groups.setdefault((point["lon"], point["lat"]), []).append(place)
    marks = []
    for (lon, lat), group in sorted(groups.items()):
        cx, cy = _project(lon, lat, width, height)
        for i, place in enumerate(group):
            if len(group) > 1:
                angle = 2 * math.pi * i / len(group)
                x, y = round(cx + FAN * math.cos(angle), 1), round(cy + FAN * math.sin(angle), 1)
            else:
                x, y = cx, cy
            n = counts.get(place["id"], 0)
            radius = 5 + min(6, 2 * math.log1p(n))
            kind = "site" if place["coordinates"]["basis"] == "site" else "city"
            if place["id"] == highlight:
                kind += " here"
            # An f-string with each value escaped, as Markup.format would: a map has a mark
            # for every place, and Markup.format costs many times this.
            marks.append(
                f'<a href="{escape(link(place["id"]))}"><title>{escape(caption(place, n))}</title>'
                f'<circle class="{kind}" cx="{x}" cy="{y}" r="{round(radius, 1)}"/></a>'
            )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(aria)}"><path class="outline" d="{paths}"/>{"".join(marks)}</svg>'
    )


@functools.cache
def _outline_path(width: int, height: int) -> str:
    """The outline of Iran as an SVG path at this size (the same on every map of that size)."""
    return " ".join(
        "M" + " L".join("{},{}".format(*_project(x, y, width, height)) for x, y in ring) + "Z"
        for ring in outline()
    )


def victims_by_place(claims: Sequence[Mapping]) -> dict[str, int]:
    """place id → how many people killed_at claims name as killed there (each person once)."""
    people: dict[str, set[str]] = {}
    for claim in claims:
        value = claim.get("value")
        if claim.get("property") == "killed_at" and isinstance(value, str):
            people.setdefault(value.removeprefix("places/"), set()).add(str(claim.get("subject")))
    return {place: len(subjects) for place, subjects in people.items()}
