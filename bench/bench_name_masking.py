"""Personal data in names (:mod:`piimap.name_masking`): precision and recall, and what it costs.

    .venv/bin/python bench/bench_name_masking.py [--per-shape N] [--records N] [--repeat N]

1. Accuracy. Seeded Faker data in ten locales is put into names in the shapes piimap meets:
   JSON keys, file names (with data-file suffixes), folder segments, S3 keys. ``design`` shapes
   are the ones the module was written against; ``held-out`` shapes were written afterwards and
   never tuned on (``mailto:`` and ``tel:`` prefixes, ``Name <address>``, an address in a Hive
   partition value, an IP with a port, a bracketed IPv6 address, spaces and capitals in file
   names, plus-tagged and non-ASCII addresses). A positive counts as masked when the raw value
   no longer appears in the masked name; a negative (an ordinary key or file name: Faker file
   names, paths and words, dates, timestamps, versions, numeric ids, hex hashes and UUIDs in
   paths) counts as a false positive when masking changes it at all. Printed per kind, per
   locale for phones, and per shape family; nothing is asserted.
2. Cost. JSON flattening (``flatten_into``, the record-by-record reference, and the block
   flattener of JSON Lines) and file-name grouping (``key_pattern``) with masking, against the
   same code with masking switched off, in the same run, by CPU time, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

from faker import Faker

from piimap.connectors import fmt_json, grouping, json_flatten
from piimap.connectors.fmt_columns import Columns
from piimap.name_masking import mask_key, mask_path

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "ja_JP", "nl_NL", "pl_PL")
REGIONS = dict(zip(LOCALES, ("US", "GB", "DE", "FR", "ES", "IT", "BR", "JP", "NL", "PL"), strict=True))
SUFFIXES = ("csv", "json", "jsonl", "log", "csv.gz", "parquet", "txt")


def _imei(chooser: random.Random) -> str:
    digits = [chooser.randint(0, 9) for _ in range(14)]
    total = 0
    for index, digit in enumerate(digits):
        doubled = digit * 2 if index % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _values(fake: Faker, chooser: random.Random) -> dict[str, str]:
    """One value of each kind from ``fake``'s locale."""
    return {
        "email": fake.email(),
        "phone": fake.phone_number(),
        "ipv4": chooser.choice((fake.ipv4_public(), fake.ipv4_private())),
        "ipv6": fake.ipv6(),
        "mac": fake.mac_address(),
        "imei": _imei(chooser),
    }


#: (family, where, shape): ``where`` is "key" (mask_key) or "path" (mask_path); ``{v}`` is the value.
DESIGN_SHAPES = (
    ("design", "key", "{v}"),
    ("design", "path", "exports/{v}.{suffix}"),
    ("design", "path", "users/{v}/profile.json"),
    ("design", "path", "bucket-prefix/{word}-{v}.{suffix}"),
    ("design", "path", "{word}_{v}_{year}.{suffix}"),
)
HELD_OUT_SHAPES = (
    ("held-out", "key", "mailto:{v}"),
    ("held-out", "key", "tel:{v}"),
    ("held-out", "key", "{name} <{v}>"),
    ("held-out", "key", "{v}:8080"),
    ("held-out", "key", "[{v}]"),
    ("held-out", "path", "tenant=acme/user={v}/data.json"),
    ("held-out", "path", "Invoices/Invoice for {v} ({year}).pdf"),
    ("held-out", "path", "EXPORTS/{upper}.CSV"),
)
#: Written after the module was tuned on the shapes above, and run once: never tuned on.
FRESH_SHAPES = (
    ("fresh", "key", "user:{v}"),
    ("fresh", "key", '"{v}"'),
    ("fresh", "key", "cc={v}&x=1"),
    ("fresh", "path", "archive/{year}/{v}.eml"),
    ("fresh", "path", "maildir/{v}/cur/1700000000.M1P2.host,S=2048:2,S"),
    ("fresh", "path", "exports/{v}.bak~"),
)
PLUS_AND_IDN = ("jane+newsletter@example.org", "josé.núñez@correo.example.es", "müller@straße.example.de")


def positives(per_shape: int, seed: int = 11) -> Iterator[tuple[str, str, str, str, str, str]]:
    """(family, where, kind, locale, value, name) for every kind in every shape and locale."""
    chooser = random.Random(seed)
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        words = Faker("en_US")
        words.seed_instance(seed)
        for _ in range(per_shape):
            values = _values(fake, chooser)
            for family, where, shape in DESIGN_SHAPES + HELD_OUT_SHAPES + FRESH_SHAPES:
                for kind, value in values.items():
                    name = shape.format(
                        v=value,
                        upper=value.upper(),
                        suffix=chooser.choice(SUFFIXES),
                        word=words.word(),
                        year=chooser.randint(2019, 2026),
                        name=fake.name(),
                    )
                    yield family, where, kind, locale, value.upper() if "{upper}" in shape else value, name
    for value in PLUS_AND_IDN:
        yield "held-out", "key", "email", "any", value, value
        yield "held-out", "path", "email", "any", value, f"exports/{value}.csv"


def negatives(count: int, seed: int = 12) -> Iterator[tuple[str, str, str]]:
    """(family, where, name): ordinary keys and file names."""
    chooser = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    for _ in range(count):
        yield "faker key", "key", fake.word() + chooser.choice(("", "_id", "_at", "2", "_name", "Count"))
        yield "faker file name", "path", fake.file_path(depth=chooser.randint(1, 4))
        yield "dated file", "path", f"logs/{fake.word()}-{fake.date()}.{chooser.choice(SUFFIXES)}"
        yield "timestamped file", "path", f"backup-{fake.date_time():%Y%m%dT%H%M%SZ}.sql"
        yield "epoch file", "path", f"events/{chooser.randint(1_600_000_000, 1_800_000_000)}.jsonl"
        yield (
            "partitioned key",
            "path",
            f"events/dt={fake.date()}/hour={chooser.randint(0, 23):02d}/part-{chooser.randint(0, 99999):05d}.parquet",
        )
        yield (
            "version",
            "path",
            f"dist/{fake.word()}-{chooser.randint(0, 9)}.{chooser.randint(0, 20)}.{chooser.randint(0, 40)}.tar.gz",
        )
        yield "numeric id key", "key", str(chooser.randint(1, 10 ** chooser.randint(2, 12)))
        yield "time key", "key", fake.time()
        yield "uuid in path", "path", f"uploads/{fake.uuid4()}/avatar.png"
        yield "hash in path", "path", f"blobs/{fake.sha1()}.bin"
        yield "locale key", "key", chooser.choice(("en-US", "pt-BR", "zh-Hant-TW", "de-CH"))


def _notation(number: str, region: str | None) -> str:
    """ "international" / "national" for a number valid in its locale's region, else "not valid"."""
    import phonenumbers

    try:
        valid = region is not None and phonenumbers.is_valid_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        return "not valid for its region"
    if number.lstrip().startswith(("+", "00")):
        return "international, valid"
    return "national US, valid" if region == "US" else "national non-US, valid"


def accuracy(per_shape: int) -> None:
    found: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_locale: dict[str, Counter[str]] = defaultdict(Counter)
    by_notation: dict[str, Counter[str]] = defaultdict(Counter)
    missed: dict[str, list[str]] = defaultdict(list)
    masked_positive = 0
    total_positive = 0
    for family, where, kind, locale, value, name in positives(per_shape):
        masked = mask_key(name) if where == "key" else mask_path(name)
        hit = value not in masked
        found[(kind, family)]["masked" if hit else "missed"] += 1
        if kind == "phone":
            by_locale[locale]["masked" if hit else "missed"] += 1
            by_notation[_notation(value, REGIONS.get(locale))]["masked" if hit else "missed"] += 1
        if not hit and len(missed[kind]) < 4:
            missed[kind].append(name)
        masked_positive += hit
        total_positive += 1
    false_positive: Counter[str] = Counter()
    negative_total: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for family, where, name in negatives(per_shape * 20):
        masked = mask_key(name) if where == "key" else mask_path(name)
        negative_total[family] += 1
        if masked != name:
            false_positive[family] += 1
            if len(examples[family]) < 3:
                examples[family].append(f"{name} -> {masked}")
    print("Recall (raw value gone from the masked name), by kind and shape family:")
    print(f"  {'kind':<8} {'design':>16} {'held-out':>16} {'fresh':>16}")
    for kind in ("email", "phone", "ipv4", "ipv6", "mac", "imei"):
        cells = []
        for family in ("design", "held-out", "fresh"):
            counts = found[(kind, family)]
            total = counts["masked"] + counts["missed"]
            cells.append(f"{counts['masked'] / total:6.1%} of {total:5d}" if total else "n/a")
        print(f"  {kind:<8} {cells[0]:>16} {cells[1]:>16} {cells[2]:>16}")
    print("Phone recall by locale (Faker's national formats are the known miss):")
    print(
        "  "
        + ", ".join(
            f"{locale} {c['masked'] / (c['masked'] + c['missed']):.0%}" for locale, c in by_locale.items()
        )
    )
    print(
        "Phone recall by how the number is written: "
        + ", ".join(
            f"{key} {c['masked'] / (c['masked'] + c['missed']):.0%} of {c['masked'] + c['missed']}"
            for key, c in sorted(by_notation.items())
        )
    )
    for kind, names in missed.items():
        print(f"  missed {kind}: {names}")
    fp_total = sum(false_positive.values())
    print("False positives on ordinary names (any change counts):")
    for family, total in negative_total.items():
        print(f"  {family:<18} {false_positive[family]:4d} of {total:5d}  {examples.get(family, '')}")
    precision = masked_positive / max(1, masked_positive + fp_total)
    print(
        f"Overall: recall {masked_positive / total_positive:.1%} ({masked_positive}/{total_positive}), "
        f"precision {precision:.1%} ({fp_total} false positives in {sum(negative_total.values())} ordinary names)"
    )


def _best_cpu(function: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def cost(records: int, repeat: int) -> None:
    chooser = random.Random(5)
    fake = Faker("en_US")
    fake.seed_instance(5)
    plain = [
        {
            "ts": 1700000000 + index,
            "event": chooser.choice(("click", "view", "login")),
            "user": {"email": f"user{index}@example.com", "ip": fake.ipv4_public(), "tags": ["a", "b"]},
            "page": "/cart",
            "device_id": fake.uuid4(),
        }
        for index in range(records)
    ]
    keyed = [
        {"contacts": {fake.email(): {"phone": fake.phone_number()} for _ in range(3)}}
        for _ in range(records // 10)
    ]
    lines = [json.dumps(record) for record in plain]
    file_names = [
        f"exports/{fake.word()}-{fake.date()}-{index}.{chooser.choice(SUFFIXES)}" for index in range(records)
    ]

    def flatten(batch: list[dict[str, object]]) -> Callable[[], None]:
        def run() -> None:
            columns = Columns()
            for record in batch:
                fmt_json.flatten_into(record, "", columns)

        return run

    def block() -> None:
        fmt_json.JsonLinesParser().parse_text("\n".join(lines), Columns())

    def patterns() -> None:
        for name in file_names:
            grouping.key_pattern(name)

    steps = {
        f"flatten_into, {records} plain records": flatten(plain),
        f"flatten_into, {records // 10} records keyed by emails": flatten(keyed),
        f"JSON Lines block parser, {records} lines": block,
        f"key_pattern, {records} file names": patterns,
    }
    print(
        f"Cost of masking (CPU seconds, best of {repeat}; 'off' = the same code with masking switched off):"
    )
    for label, step in steps.items():
        masked = _best_cpu(step, repeat)
        saved = json_flatten.mask_key, grouping.mask_path
        json_flatten.mask_key, grouping.mask_path = str, str  # the reference: no masking at all
        try:
            off = _best_cpu(step, repeat)
        finally:
            json_flatten.mask_key, grouping.mask_path = saved
        print(f"  {label:<48} on {masked:7.3f}  off {off:7.3f}  ratio {masked / max(off, 1e-9):5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-shape", type=int, default=30, help="values per kind, shape and locale")
    parser.add_argument("--records", type=int, default=100_000, help="records for the cost figures")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    accuracy(args.per_shape)
    cost(args.records, args.repeat)


if __name__ == "__main__":
    main()
