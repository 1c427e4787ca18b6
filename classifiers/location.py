"""Precise location (``user.location.precise``): latitude/longitude pairs, geohashes, GeoJSON points.

* A pair in one field: ``48.8584, 2.2945``, ``(48.8584 2.2945)``, ``POINT(2.2945 48.8584)`` (WKT,
  longitude first), ``48.8584;2.2945``: two decimals within range, at least one with 3 or more
  decimal places (about 100 m or better; ``1.5, 2.25`` is not a position): 0.95.
* A GeoJSON point: ``{"type": "Point", "coordinates": [lon, lat]}``: 0.95.
* A geohash: 7 to 12 characters of the geohash alphabet (no a, i, l, o) with letters and digits,
  in a field named for it (``geohash``): 0.9.
* Separate columns: a ``lat`` / ``latitude`` column beside a ``lon`` / ``lng`` / ``longitude`` one
  (field names), each of decimals in range with 3 or more decimal places: 0.9. An arbitrary float
  column (prices, scores, ratios) is never a location: its name must say latitude or longitude.

Known false positives: two comma-separated precise decimals in range that are something else
(a ratio pair). Known misses: degrees-minutes-seconds notation; coordinates in integer micro-degrees.
"""

from __future__ import annotations

import json
import re

from piimap.classifiers.base import SingleCategoryClassifier
from piimap.classifiers.fieldnames import CategoryRule, NameEvidence, field_words, phrases
from piimap.classifiers.spec import CategorySpec
from piimap.model import Detection, FieldSample
from piimap.scancache import value_cache

__all__ = ["LocationClassifier", "location_strength", "coordinate_strength"]

CATEGORY = "user.location.precise"
PAIR_STRENGTH = 0.95
NAMED_STRENGTH = 0.9

NAMES = CategoryRule(
    strong=phrases(
        "lat",
        "latitude",
        "lon",
        "lng",
        "long",
        "longitude",
        "coordinates",
        "coords",
        "geo",
        "geolocation",
        "location",
        "position",
        "gps",
        "geohash",
        "lat lng",
        "latlng",
        "latlon",
        "lat lon",
        "geo point",
        "geopoint",
        "point",
        "breitengrad",
        "laengengrad",
        "längengrad",
    ),
    weak=phrases("place", "where"),
    contradicting=frozenset(
        {"id", "name", "type", "count", "accuracy", "precision", "city", "country", "code"}
    ),
    glued=("latitude", "longitude", "geohash"),
)


def _mask_location(value: str) -> str:
    """Coordinates to whole degrees, the decimals starred (``48.8584, 2.2945`` -> ``48.****, 2.****``);
    a geohash to its first three characters (a cell of about 150 km)."""
    value = value.strip()
    if "." not in value:
        return value[:3] + "***"
    return re.sub(r"(?<=\.)\w+", lambda match: "*" * len(match.group(0)), value)


SPEC = CategorySpec(
    key=CATEGORY,
    names=NAMES,
    explain="A precise position: a latitude/longitude pair (3+ decimal places), a GeoJSON point, a geohash, "
    "or latitude and longitude columns side by side.",
    mask=_mask_location,
)

_NUMBER = r"[-+]?\d{1,3}\.\d+"
_PAIR = re.compile(rf"[(\[]?\s*({_NUMBER})\s*[,; ]\s*({_NUMBER})\s*[)\]]?")
_WKT = re.compile(rf"POINT\s*Z?\s*\(\s*({_NUMBER})\s+({_NUMBER})(?:\s+{_NUMBER})?\s*\)", re.IGNORECASE)
_DECIMAL = re.compile(r"[-+]?\d{1,3}\.(\d+)")
_GEOHASH = re.compile(r"[0-9b-hjkmnp-z]{7,12}")
_LATITUDE_WORDS = frozenset({"lat", "latitude", "breitengrad"})
_LONGITUDE_WORDS = frozenset({"lon", "lng", "long", "longitude", "laengengrad", "längengrad"})


def _precise(*numbers: str) -> bool:
    return any(len(number.partition(".")[2]) >= 3 for number in numbers)


def _pair_strength(latitude: str, longitude: str) -> float:
    lat, lon = float(latitude), float(longitude)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return 0.0
    return PAIR_STRENGTH if _precise(latitude, longitude) else 0.0


@value_cache(maxsize=65536)
def location_strength(value: str, geohash: bool = False) -> float:
    """How surely ``value`` alone is a precise position (``geohash``: the field is named for geohashes)."""
    value = value.strip()
    if not 5 <= len(value) <= 300:
        return 0.0
    first = value[0]
    if first == "{":
        return _geojson_strength(value)
    if first in "Pp":
        match = _WKT.fullmatch(value)
        return _pair_strength(match.group(2), match.group(1)) if match else 0.0
    if geohash and _GEOHASH.fullmatch(value):
        return (
            NAMED_STRENGTH
            if any(char.isdigit() for char in value) and any(char.isalpha() for char in value)
            else 0.0
        )
    match = _PAIR.fullmatch(value)
    if match is None:
        return 0.0
    return _pair_strength(match.group(1), match.group(2))


def _geojson_strength(value: str) -> float:
    try:
        document = json.loads(value)
    except ValueError:
        return 0.0
    if not isinstance(document, dict):
        return 0.0
    geometry = document.get("geometry", document)
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return 0.0
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return 0.0
    longitude, latitude = coordinates[0], coordinates[1]
    if not all(
        isinstance(number, (int, float)) and not isinstance(number, bool) for number in (longitude, latitude)
    ):
        return 0.0
    return _pair_strength(repr(float(latitude)), repr(float(longitude)))


def coordinate_strength(value: str, bound: float) -> float:
    """A single latitude (``bound`` 90) or longitude (180) with 3 or more decimal places."""
    match = _DECIMAL.fullmatch(value.strip())
    if match is None or len(match.group(1)) < 3:
        return 0.0
    return NAMED_STRENGTH if abs(float(value)) <= bound else 0.0


class LocationClassifier(SingleCategoryClassifier):
    """Finds coordinate pairs, GeoJSON points, geohashes and latitude/longitude columns."""

    id = "location"
    categories = (CATEGORY,)
    specs = (SPEC,)
    text_what = "a position"
    reads_text = False  # free text: decimal pairs in prose are not told from other numbers

    def judge_structured(
        self, sample: FieldSample, evidence: NameEvidence, *, keep_empty: bool
    ) -> Detection | None:
        leaf = set(field_words(sample.field).leaf)
        if evidence.strong and leaf & _LATITUDE_WORDS and not leaf & _LONGITUDE_WORDS:
            return self.judge_values(
                sample,
                evidence,
                lambda value: coordinate_strength(value, 90.0),
                what="latitudes",
                keep_empty=keep_empty,
            )
        if evidence.strong and leaf & _LONGITUDE_WORDS and not leaf & _LATITUDE_WORDS:
            return self.judge_values(
                sample,
                evidence,
                lambda value: coordinate_strength(value, 180.0),
                what="longitudes",
                keep_empty=keep_empty,
            )
        geohash = evidence.strong and "geohash" in field_words(sample.field).joined
        return self.judge_values(
            sample,
            evidence,
            lambda value: location_strength(value, geohash),
            what="positions (coordinate pairs, GeoJSON points" + (", geohashes" if geohash else "") + ")",
            keep_empty=keep_empty,
        )
