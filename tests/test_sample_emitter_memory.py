"""Values held between batches are bounded in characters, not only in number (issue #12, done-when).

A full read counts each field's distinct values until a batch is full, and every field's values
were held until 100,000 of them: 100,000 distinct values of 4,096 CJK characters are 800 MB, and
values of a full read were even held uncut (20,000 JSON Lines values of 60 KB took 1.25 GB). The
peak RSS of such reads is measured in ``tests/test_memory_limits.py``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from piimap.connectors import fmt_columns
from piimap.connectors.fmt_columns import Columns, SampleEmitter
from piimap.settings import ScanSettings

SETTINGS = ScanSettings(max_value_length=4096)


def _wide_block(block: int, fields: int = 40, rows: int = 50) -> Columns:
    columns = Columns()
    for field in range(fields):
        columns.extend(f"f{field}", [f"{block}.{row}." + "日" * 5000 for row in range(rows)])
    return columns


@pytest.mark.parametrize("aggregate", [True, False])
def test_long_values_leave_before_they_add_up(aggregate: bool) -> None:
    emitter = SampleEmitter("s", "c", SETTINGS, aggregate=aggregate)
    held_at_most = 0
    emitted = 0
    for block in range(60):  # 120,000 values of 4,096+ characters
        for sample in emitter.take(_wide_block(block)):
            emitted += len(sample.values)
            assert max(map(len, sample.values)) <= 4096
        held = sum(sum(map(len, buffer)) for buffer in emitter._buffers.values())
        held += sum(sum(map(len, tally)) for tally in emitter._tallies.values())
        held_at_most = max(held_at_most, held)
    emitted += sum(len(sample.values) for sample in emitter.flush())
    assert emitted == 60 * 40 * 50
    # the budget, plus the one block that went over it
    assert held_at_most <= fmt_columns._MAX_BUFFERED_CHARS + 40 * 50 * 4096


def test_counted_values_from_a_parser_are_cut_before_they_are_held() -> None:
    emitter = SampleEmitter("s", "c", SETTINGS, aggregate=True)
    columns = Columns()
    columns.tally("query.q", Counter({"a" * 100_000: 3, "a" * 100_001: 2, "b": 1}))
    assert list(emitter.take(columns)) == []
    assert max(map(len, emitter._tallies["query.q"])) == 4096
    (sample,) = emitter.flush()
    assert dict(sample.counted()) == {"a" * 4096: 5, "b": 1}


def test_short_values_are_still_batched_by_count() -> None:
    emitter = SampleEmitter("s", "c", SETTINGS, aggregate=True)
    columns = Columns()
    columns.extend("email", [f"user{index}@example.org" for index in range(30_000)])
    assert list(emitter.take(columns)) == []  # 30,000 short distinct values: under every budget
    assert [len(sample.values) for sample in emitter.flush()] == [30_000]
