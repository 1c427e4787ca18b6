"""How the S3 connector groups a large bucket listing: time per key and peak memory.

Generates a synthetic listing of partitioned keys (``events/dt=YYYY-MM-DD/part-NNNNN.jsonl.gz``,
dated logs, per-user exports with UUIDs) and runs it through :func:`group_objects`, the grouping
``discover()`` uses. The reference, measured in the same run on the same keys, is the naive way:
keep every listed object and bucket them in lists by pattern. The figures to watch are the
number of containers (a few, not one per object) and the memory ratio (flat vs. linear).

    .venv/bin/python bench/bench_s3_grouping.py [--keys 300000] [--per-group 3]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import uuid
from collections.abc import Iterator

from piimap.connectors.s3 import ListedObject, group_objects, key_pattern


def synthetic_listing(count: int) -> Iterator[ListedObject]:
    """``count`` objects in listing (key) order across three kinds of partitioned data."""
    modified = "2026-11-27T10:00:00+00:00"
    for index in range(count):
        kind = index % 3
        day = 1 + (index // 3000) % 28
        if kind == 0:
            key = f"events/dt=2026-11-{day:02d}/part-{index:05d}.jsonl.gz"
        elif kind == 1:
            key = f"logs/2026/11/{day:02d}/access-{1732700000 + index}.log"
        else:
            key = f"exports/user-{uuid.UUID(int=index)}.json"
        yield ListedObject(key, 1024, f"{index:032x}", modified)


def naive_grouping(objects: Iterator[ListedObject]) -> dict[str, list[ListedObject]]:
    groups: dict[str, list[ListedObject]] = {}
    for listed in objects:
        groups.setdefault(key_pattern(listed.key), []).append(listed)
    return groups


def measure(label: str, run) -> tuple[float, int, int]:
    """Time one run, then trace the memory of a second (tracemalloc slows Python several times)."""
    started = time.perf_counter()
    groups = run()
    elapsed = time.perf_counter() - started
    del groups
    tracemalloc.start()
    groups = run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<28} {elapsed:8.2f} s  {peak / 1e6:9.2f} MB peak  {len(groups):>6} containers")
    return elapsed, peak, len(groups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=300_000)
    parser.add_argument("--per-group", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.keys} keys, {args.per_group} objects sampled per group")
    ours_time, ours_peak, ours_groups = measure(
        "group_objects (piimap)", lambda: group_objects(synthetic_listing(args.keys), args.per_group)
    )
    ref_time, ref_peak, ref_groups = measure(
        "keep-everything reference", lambda: naive_grouping(synthetic_listing(args.keys))
    )
    assert ours_groups == ref_groups
    print(f"per key: {ours_time / args.keys * 1e6:.1f} us (reference {ref_time / args.keys * 1e6:.1f} us)")
    print(f"time ratio piimap/reference: {ours_time / ref_time:.2f}")
    print(f"memory ratio piimap/reference: {ours_peak / ref_peak:.4f}")


if __name__ == "__main__":
    main()
