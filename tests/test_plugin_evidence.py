"""The engine owns evidence: a third-party classifier written as the plugin docs show honours
``evidence: none`` and ``hmac``, counts a counted sample honestly, and the validators' caches of
raw values do not outlive the scan.

The classifier is the documented example itself, read from the docs, installed in a temporary
folder with an ``entry_points.txt`` (what ``pip install`` of a third-party package leaves) and
found by piimap's entry-point loader like any installed plugin.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from piimap import engine
from piimap.engine import classify_samples, scan, uncounted_pieces
from piimap.evidence import EvidencePolicy, evidence_policy, finding_examples, hmac_example
from piimap.masking import mask
from piimap.model import Detection, FieldRef, FieldSample, SourceSpec
from piimap.plugins import load_group
from piimap.scancache import open_scopes, register, scan_scope, value_cache
from piimap.settings import ScanSettings

ROOT = Path(__file__).resolve().parents[1]
CATEGORY = "user.government_id.national_identification_number"


def category_mask():
    """The mask of CATEGORY's spec (the built-in government-id classifier declares it), which the
    engine applies to every classifier's candidates of that category."""
    from piimap.classifiers.spec import spec_for

    return spec_for(CATEGORY).mask


KEY = "plugin-evidence-key-7c1d9e2f4a"
IDS = ("AB-123456-C", "ZX-654321-Q", "QQ-000111-A")


def _documented_example() -> str:
    """The plugin example's code block, from wherever the docs keep it."""
    for doc in (ROOT / "docs" / "plugins.md", ROOT / "README.md"):
        if doc.exists():
            match = re.search(r"```python\n(# acme_piimap/national_id\.py\n.*?)```", doc.read_text(), re.S)
            if match:
                return match.group(1)
    raise AssertionError("the plugin example (acme_piimap/national_id.py) is not in the docs")


LEGACY_EXAMPLE = '''
import re
from piimap.masking import mask
from piimap.model import Detection


class LegacyIdClassifier:
    """Written against piimap 0.2's docs: masks its own examples."""

    id = "acme_legacy_id"
    categories = ("user.government_id.national_identification_number",)
    _pattern = re.compile(r"^[A-Z]{2}-\\d{6}-[A-Z]$")

    def __init__(self, settings):
        self.settings = settings

    def classify(self, sample):
        hits = [value for value in sample.values if self._pattern.match(value)]
        if not hits:
            return ()
        category = self.categories[0]
        return (
            Detection(
                category,
                self.id,
                confidence=len(hits) / len(sample.values),
                matched=len(hits),
                sampled=len(sample.values),
                examples=tuple(mask(category, v) for v in hits[:3]),
            ),
        )
'''


@pytest.fixture()
def acme_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``acme_piimap`` installed as a distribution with two ``piimap.classifiers`` entry points."""
    package = tmp_path / "site" / "acme_piimap"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "national_id.py").write_text(_documented_example())
    (package / "legacy_id.py").write_text(LEGACY_EXAMPLE)
    info = tmp_path / "site" / "acme_piimap-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-piimap\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[piimap.classifiers]\n"
        "national_id = acme_piimap.national_id:NationalIdClassifier\n"
        "legacy_id = acme_piimap.legacy_id:LegacyIdClassifier\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    load_group.cache_clear()
    engine._classifiers.clear()
    yield tmp_path
    load_group.cache_clear()
    engine._classifiers.clear()
    for name in [name for name in sys.modules if name.startswith("acme_piimap")]:
        del sys.modules[name]


def _ids_file(folder: Path, repeats: int = 1) -> Path:
    path = folder / "citizens.csv"
    rows = ["national_id,tier"] + [f"{value},gold" for value in IDS for _ in range(repeats)]
    path.write_text("\n".join(rows) + "\n")
    return path


def _scan(path: Path, classifier: str, evidence: EvidencePolicy, sample_size: int = 1000):
    settings = ScanSettings(enabled_classifiers=(classifier,), evidence=evidence, sample_size=sample_size)
    result = scan([SourceSpec("citizens", str(path))], settings)
    assert not result.errors, result.errors
    return [finding for finding in result.findings if finding.category == CATEGORY]


def test_the_documented_plugin_is_loaded_from_its_entry_point(acme_plugin: Path) -> None:
    classifiers = load_group("piimap.classifiers")
    assert "national_id" in classifiers and "email" in classifiers
    assert classifiers["national_id"].__module__ == "acme_piimap.national_id"


@pytest.mark.parametrize("classifier", ["national_id", "legacy_id"])
def test_evidence_none_keeps_no_examples_from_a_plugin(acme_plugin: Path, classifier: str) -> None:
    (finding,) = _scan(_ids_file(acme_plugin), classifier, EvidencePolicy("none"))
    assert finding.classifier.startswith("acme_") and finding.matched == 3
    assert finding.examples == ()


def test_evidence_hmac_turns_the_plugins_candidates_into_keyed_hashes(acme_plugin: Path) -> None:
    policy = evidence_policy("hmac", environ={"PIIMAP_HMAC_KEY": KEY})
    (finding,) = _scan(_ids_file(acme_plugin), "national_id", policy)
    assert finding.examples == tuple(hmac_example(KEY.encode(), value) for value in IDS)


def test_evidence_hmac_drops_the_masked_examples_of_an_older_plugin(acme_plugin: Path) -> None:
    policy = evidence_policy("hmac", environ={"PIIMAP_HMAC_KEY": KEY})
    (finding,) = _scan(_ids_file(acme_plugin), "legacy_id", policy)
    assert finding.matched == 3 and finding.examples == ()


@pytest.mark.parametrize("classifier", ["national_id", "legacy_id"])
def test_evidence_masked_gives_masked_examples(acme_plugin: Path, classifier: str) -> None:
    (finding,) = _scan(_ids_file(acme_plugin), classifier, EvidencePolicy())
    expected = tuple(mask(CATEGORY, value, masker=category_mask()) for value in IDS)
    # the engine masks the plugin's candidates as the category's spec says; the legacy plugin
    # masked its own examples with mask(CATEGORY, ...)
    assert finding.examples == (
        expected if classifier == "national_id" else tuple(mask(CATEGORY, v) for v in IDS)
    )
    assert not any(value in example for value in IDS for example in finding.examples)


def test_a_counted_sample_is_counted_honestly_by_a_plugin_that_reads_values(acme_plugin: Path) -> None:
    classifier = load_group("piimap.classifiers")["national_id"](ScanSettings())
    assert not getattr(classifier, "accepts_counts", False)
    sample = FieldSample(FieldRef("s", "c", "national_id"), ("AB-123456-C", "n/a"), counts=(999, 1))
    (finding,), read = classify_samples([sample], [classifier], ScanSettings())
    assert read == 1000
    assert (finding.matched, finding.sampled) == (999, 1000)
    assert finding.confidence == pytest.approx(0.999)
    assert finding.examples == (mask(CATEGORY, "AB-123456-C", masker=category_mask()),)


def test_a_full_read_of_a_log_counts_honestly_for_the_plugin(acme_plugin: Path) -> None:
    """JSON Lines read in full arrive counted (distinct values with their counts)."""
    path = acme_plugin / "events.jsonl"
    lines = [json.dumps({"national_id": IDS[index % 3], "event": "view"}) for index in range(3000)]
    lines += [json.dumps({"national_id": "unknown", "event": "view"})] * 1000
    path.write_text("\n".join(lines) + "\n")
    (finding,) = _scan(path, "national_id", EvidencePolicy(), sample_size=0)
    assert finding.field == "national_id"
    assert (finding.matched, finding.sampled) == (3000, 4000)
    assert finding.confidence == pytest.approx(0.75)


def test_pieces_the_plugin_found_nothing_in_still_count(
    acme_plugin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 ids then 100 other values, in pieces of 64: the last pieces hold no id at all."""
    monkeypatch.setattr(engine, "UNCOUNTED_PIECE", 64)
    classifier = load_group("piimap.classifiers")["national_id"](ScanSettings())
    sample = FieldSample(FieldRef("s", "c", "national_id"), ("AB-123456-C", "n/a"), counts=(100, 100))
    (finding,), read = classify_samples([sample], [classifier], ScanSettings())
    assert (read, finding.matched, finding.sampled) == (200, 100, 200)
    assert finding.confidence == pytest.approx(0.5)


def test_uncounted_pieces_repeat_each_value_as_often_as_it_occurs() -> None:
    sample = FieldSample(FieldRef("s", "c", "f"), ("a", "b", "c"), null_count=4, counts=(5, 1, 3))
    pieces = list(uncounted_pieces(sample, size=4))
    assert [piece.values for piece in pieces] == [("a",) * 4, ("a", "b", "c", "c"), ("c",)]
    assert [piece.null_count for piece in pieces] == [4, 0, 0]
    assert all(piece.counts is None for piece in pieces)


def test_finding_examples_by_mode() -> None:
    detection = Detection(CATEGORY, "x", 1.0, 2, 2, candidates=IDS[:2])
    legacy = Detection(CATEGORY, "x", 1.0, 2, 2, examples=("AB*******-C",))
    hmac_policy = EvidencePolicy.with_key(KEY.encode())
    assert finding_examples(EvidencePolicy(), detection, 3) == tuple(mask(CATEGORY, v) for v in IDS[:2])
    assert finding_examples(EvidencePolicy(), detection, 1) == (mask(CATEGORY, IDS[0]),)
    assert finding_examples(EvidencePolicy("none"), detection, 3) == ()
    assert finding_examples(hmac_policy, detection, 3) == tuple(
        hmac_example(KEY.encode(), v) for v in IDS[:2]
    )
    assert finding_examples(EvidencePolicy(), legacy, 3) == ("AB*******-C",)
    assert finding_examples(hmac_policy, legacy, 3) == ()
    keyed = Detection(CATEGORY, "x", 1.0, 1, 1, examples=(hmac_example(KEY.encode(), IDS[0]),))
    assert finding_examples(hmac_policy, keyed, 3) == keyed.examples


def test_candidates_never_show_in_a_detections_repr() -> None:
    detection = Detection(CATEGORY, "x", 1.0, 1, 1, candidates=(IDS[0],))
    assert IDS[0] not in repr(detection)


def test_the_validators_caches_are_emptied_when_the_scan_ends(tmp_path: Path) -> None:
    from piimap.classifiers.email import is_email
    from piimap.classifiers.prefilter import shape_of

    path = tmp_path / "people.csv"
    path.write_text("email,ip\nzelda.quint@example.com,203.0.113.7\nyorick@example.org,198.51.100.4\n")
    filled: list[int] = []

    class Watch(engine.ScanObserver):
        def container_done(self, outcome: engine.ContainerOutcome) -> None:
            filled.append(is_email.cache_info().currsize + shape_of.cache_info().currsize)

    assert open_scopes() == 0
    result = scan([SourceSpec("people", str(path))], ScanSettings(), observer=Watch())
    assert {finding.category for finding in result.findings} >= {"user.contact.email"}
    assert filled and filled[0] > 0  # the caches were used during the scan...
    assert is_email.cache_info().currsize == 0  # ...and hold no value after it
    assert shape_of.cache_info().currsize == 0


def test_scan_scopes_nest_and_clear_when_the_last_ends() -> None:
    @value_cache(maxsize=8)
    def double(value: str) -> str:
        return value * 2

    class Verdicts(dict):
        pass

    verdicts = register(Verdicts())
    with scan_scope():
        with scan_scope():
            double("x")
            verdicts["jane"] = 1.0  # type: ignore[index]
        assert double.cache_info().currsize == 1 and verdicts  # an outer scan is still running
    assert double.cache_info().currsize == 0 and not verdicts
