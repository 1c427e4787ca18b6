"""The full-scan fast path: access logs split per block, repeated values counted, classifiers fed counts.

Every shortcut is checked against the slow, obviously-right way on the same input: the split path
against the regex path, counted samples against the same values listed one by one.
"""

from __future__ import annotations

import gc
import io
import random
from collections import Counter

import pytest
from columns_helpers import expanded

from piimap.classifiers import base
from piimap.classifiers.email import EmailClassifier
from piimap.classifiers.ip_address import IpAddressClassifier
from piimap.classifiers.options import AllowList
from piimap.connectors.accesslog import _FAST_LINE, AccessLogParser
from piimap.connectors.fmt_columns import Columns, SampleEmitter
from piimap.connectors.formats import iter_field_samples
from piimap.engine import classify_samples
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings

EXHAUSTIVE = ScanSettings(sample_size=0, exhaustive=True)


def access_lines(count: int, seed: int, *, extra: str = "") -> tuple[str, int]:
    """``count`` combined-format lines; returns the text and how many carry an email."""
    chooser = random.Random(seed)
    lines, emails = [], 0
    for index in range(count):
        target = chooser.choice(["/", "/a%20b", "/cart", "/search"])
        roll = chooser.random()
        if roll < 0.2:
            target += f"?email=user{chooser.randrange(50)}%40example.com&src=mail"
            emails += 1
        elif roll < 0.5:
            target += f"?q=red+shoes&page={chooser.randint(1, 3)}&empty="
        referrer = chooser.choice(["-", "https://example.org/r?u=a%40b.org", "https://example.com/"])
        agent = chooser.choice(["Mozilla/5.0 (X11)", "curl/8.4.0", "-"])
        user = chooser.choice(["-", "jane"])
        lines.append(
            f"{chooser.randint(11, 99)}.{chooser.randint(0, 255)}.0.{chooser.randint(1, 254)} - {user} "
            f'[10/Oct/2023:13:55:{index % 60:02d} +0000] "GET {target} HTTP/1.1" 200 {index} '
            f'"{referrer}" "{agent}"{extra}\n'
        )
    return "".join(lines), emails


def by_regex(text: str) -> dict[str | None, Counter[str]]:
    """The regex path, which the split path must agree with."""
    columns = Columns()
    AccessLogParser()._add_rows(_FAST_LINE.findall(text), columns)
    return expanded(columns)


@pytest.mark.parametrize(
    "extra",
    ["", ' "_ga=GA1.2.1234567890.1600000000; sid=abc%20123"', ' "198.51.100.9, 10.0.0.1"', ' "free text"'],
)
def test_split_path_gives_the_fields_of_the_regex_path(extra: str) -> None:
    text, _ = access_lines(400, seed=len(extra), extra=extra)
    columns = Columns()
    assert AccessLogParser()._parse_split(text, columns)
    assert not columns.values  # everything arrived counted
    assert expanded(columns) == by_regex(text)


@pytest.mark.parametrize(
    ("odd_line", "clients"),
    [
        ('10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1\n', 1),  # common format
        (
            '10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "UA" "cookie=1"\n',
            1,
        ),  # more quotes
        ("\n", 0),  # an empty line
        ("server restarted by admin@example.com\n", 0),  # junk
        ('10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET /a\\"b HTTP/1.1" 200 1 "-" "UA"\n', 1),  # an escape
        ('10.1.2.3 -  - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "UA"\n', 0),  # two spaces
        ('10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 2000 1 "-" "UA"\n', 0),  # not a status
    ],
)
def test_a_block_of_mixed_shapes_leaves_the_split_path_and_is_still_read(odd_line: str, clients: int) -> None:
    text, _ = access_lines(50, seed=7)
    mixed = text + odd_line + text
    assert not AccessLogParser()._parse_split(mixed, Columns())
    columns = Columns()
    AccessLogParser().parse_text(mixed, columns)
    fields = expanded(columns)
    assert fields["client_ip"].total() == 100 + clients
    assert fields.get(None, Counter()).total() == (1 if odd_line.strip() and not clients else 0)


def test_full_read_counts_repeated_values_and_sampling_lists_them() -> None:
    text, emails = access_lines(3000, seed=1)
    full = list(
        iter_field_samples(
            io.BytesIO(text.encode()),
            source="s",
            container="c",
            name="access.log",
            limit=0,
            settings=ScanSettings(),
        )
    )
    agents = [sample for sample in full if sample.field.name == "user_agent"]
    assert [sorted(sample.values) for sample in agents] == [["Mozilla/5.0 (X11)", "curl/8.4.0"]]
    assert (
        sum(agents[0].counts)
        == agents[0].occurrences
        == text.count('"Mozilla/5.0 (X11)"') + text.count('"curl/8.4.0"')
    )
    email_total = sum(sample.occurrences for sample in full if sample.field.name == "query.email")
    assert email_total == emails
    sampled = list(
        iter_field_samples(
            io.BytesIO(text.encode()),
            source="s",
            container="c",
            name="access.log",
            limit=100,
            settings=ScanSettings(),
        )
    )
    assert all(sample.counts is None for sample in sampled)


def test_emitter_batches_hold_at_most_batch_size_distinct_values_and_cut_long_ones() -> None:
    emitter = SampleEmitter("s", "c", ScanSettings(max_value_length=4), counted_batch_size=3, aggregate=True)
    columns = Columns()
    columns.extend("f", ["aaaa1", "aaaa2", "b", "b", "c", "d"])
    samples = list(emitter.take(columns)) + list(emitter.flush())
    assert all(len(sample.values) <= 3 for sample in samples)
    merged = Counter()
    for sample in samples:
        merged.update(dict(sample.counted()))
    assert merged == Counter({"aaaa": 2, "b": 2, "c": 1, "d": 1})
    assert emitter.values_seen == 6


def listed(sample: FieldSample) -> FieldSample:
    """The same sample with every occurrence listed (no counts)."""
    values = tuple(value for value, count in sample.counted() for _ in range(count))
    return FieldSample(sample.field, values, sample.null_count)


@pytest.mark.parametrize(
    ("classifier", "field", "values", "counts"),
    [
        (
            IpAddressClassifier,
            "client_ip",
            ("203.0.113.7", " 198.51.100.2", "1.2.3.4", "not an ip"),
            (5, 3, 2, 7),
        ),
        (EmailClassifier, "email", ("jane@example.com", "x", "bob@example.org "), (4, 9, 1)),
        (EmailClassifier, None, ("mail jane@example.com now", "nothing here"), (3, 11)),
    ],
)
def test_counted_samples_classify_like_the_same_values_listed(classifier, field, values, counts) -> None:
    counted = FieldSample(FieldRef("s", "c", field), values, 0, counts)
    judge = classifier(EXHAUSTIVE)
    assert list(judge.classify(counted)) == list(judge.classify(listed(counted)))
    (detection,) = judge.classify(counted)
    assert detection.sampled == sum(counts)


def test_engine_counts_occurrences_not_distinct_values() -> None:
    sample = FieldSample(FieldRef("s", "c", "client_ip"), ("203.0.113.7", "198.51.100.2"), 0, (1000, 24))
    findings, values_read = classify_samples([sample], [IpAddressClassifier(EXHAUSTIVE)], EXHAUSTIVE)
    assert values_read == 1024
    assert [(finding.matched, finding.sampled) for finding in findings] == [(1024, 1024)]


def test_shared_distinct_values_do_not_outlive_their_sample() -> None:
    sample = FieldSample(FieldRef("s", "c", "f"), (" a", "a", "b"))
    assert base._distinct(sample, AllowList()) == ({"a": 2, "b": 1}, 0)
    assert base._distinct(sample, AllowList()) is base._distinct(sample, AllowList())
    assert base._distinct(sample, AllowList(values=frozenset({"a"}))) == ({"b": 1}, 2)
    del sample
    gc.collect()
    assert not base._recent.entry


def test_exhaustive_full_scan_counts_agree_with_the_generated_truth(tmp_path) -> None:
    from piimap.engine import SerialExecutor, scan
    from piimap.model import SourceSpec

    text, emails = access_lines(5000, seed=3)
    path = tmp_path / "access.log"
    path.write_text(text)
    settings = EXHAUSTIVE.with_changes(enabled_classifiers=("ip_address", "email"))  # no spaCy: fast
    result = scan([SourceSpec("logs", str(path))], settings, executor=SerialExecutor())
    found = {(finding.field, finding.category): finding for finding in result.findings}
    ips = found[("client_ip", "user.device.ip_address")]
    assert (ips.matched, ips.sampled) == (5000, 5000)
    assert found[("query.email", "user.contact.email")].matched == emails
