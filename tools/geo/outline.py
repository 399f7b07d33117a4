"""Write the map's outline of Iran (chalicelib/serve/pages/geo/iran.json) from Natural Earth.

The outline is world-atlas's countries-50m.json (Natural Earth 1:50m admin 0, public domain;
world-atlas is ISC-licensed), Iran's rings only, simplified with Douglas-Peucker to about
2 km, so the pages draw it without loading anything from outside. Run it by hand:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python tools/geo/outline.py package/countries-50m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "chalicelib" / "serve" / "pages" / "geo" / "iran.json"
IRAN = "364"
TOLERANCE = 0.02  # degrees, about 2 km
MIN_POINTS = 8  # islands smaller than this after simplification are left out


def rings(topology: dict, country_id: str) -> list[list[tuple[float, float]]]:
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]

    def arc(index: int) -> list[tuple[float, float]]:
        x = y = 0
        points = []
        for dx, dy in topology["arcs"][index if index >= 0 else ~index]:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        return points if index >= 0 else points[::-1]

    geometry = next(
        g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == country_id
    )
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for polygon in polygons:
        for ring in polygon:
            points: list[tuple[float, float]] = []
            for index in ring:
                points.extend(arc(index)[1 if points else 0 :])
            out.append(points)
    return out


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iteratively (rings have thousands of points)."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5 or 1e-12
        far, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            d = abs(dy * (x - x1) - dx * (y - y1)) / norm
            if d > far:
                far, index = d, i
        if index is not None and far > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [points[i] for i in sorted(keep)]


def simplify_ring(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """A closed ring simplified in two halves, split at its farthest point from its start
    (a closed ring's two ends coincide, so it has no chord of its own)."""
    x0, y0 = ring[0]
    split = max(range(len(ring)), key=lambda i: (ring[i][0] - x0) ** 2 + (ring[i][1] - y0) ** 2)
    if split in (0, len(ring) - 1):
        return ring
    return simplify(ring[: split + 1], tolerance) + simplify(ring[split:], tolerance)[1:]


def main(countries_50m: str) -> None:
    topology = json.loads(Path(countries_50m).read_text())
    simplified = [simplify_ring(r, TOLERANCE) for r in rings(topology, IRAN)]
    kept = [[[round(x, 3), round(y, 3)] for x, y in r] for r in simplified if len(r) >= MIN_POINTS]
    TARGET.parent.mkdir(exist_ok=True)
    document = {
        "source": "Natural Earth 1:50m admin 0 countries (public domain), via npm world-atlas 2.0.2 (ISC)",
        "country": "Iran",
        "rings": kept,
    }
    TARGET.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    print(TARGET, sum(len(r) for r in kept), "points in", len(kept), "rings")


if __name__ == "__main__":
    main(sys.argv[1])
