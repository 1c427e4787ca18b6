"""Peak memory of a scan of any one hostile file or object stays under 500 MB (issue #12).

Each file is scanned by the real ``piimap`` console script in a process of its own, reading
everything (``--sample-size 0``) and with the default sample. Its peak resident set size is what ``wait4``
reports to a small launcher process that started it: measured from the test process itself it
would include the test process's own peak (a child's high-water mark starts at its parent's
size when it is forked). The same files are scanned on disk and as objects of moto's S3 server
over HTTP. A Python process with piimap's classifiers loaded is already ~150 MB of the 500.

The files are small on disk (KB to a few MB) but expand to gigabytes when read: a Parquet page
holding one 1.5 GiB string, a dictionary entry of 10 MiB referenced by 100,000 rows, gzip that
expands 1000 times, a 640 MiB JSON value, a 640 MiB line, a 600 MiB CSV field, 2 MiB of nesting.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_files import (
    write_csv_with_giant_field,
    write_deep_json,
    write_gzip_bomb,
    write_huge_json_value,
    write_long_line,
    write_parquet_bomb,
)

pytest_plugins = ["fixtures_s3"]
pytestmark = pytest.mark.slow

LIMIT_MB = 500
PIIMAP = str(Path(sys.executable).with_name("piimap"))
_GIB = 1 << 30
_MIB = 1 << 20


def _dictionary_bomb(path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    entry = "jane.doe@example.org " + "b" * (10 * _MIB)
    column = pa.DictionaryArray.from_arrays(pa.array([0] * 100_000, pa.int32()), pa.array([entry]))
    pq.write_table(pa.table({"note": column}), path, compression="zstd", dictionary_pagesize_limit=64 * _MIB)


def _deep_json_line(path: Path) -> None:
    deep = "[" * 20_000 + "1" + "]" * 20_000  # within the line length cap: decoded, and too deep
    lines = [json.dumps({"email": f"user{index}@example.org"}) for index in range(20)]
    path.write_text("\n".join(lines[:10] + [deep] + lines[10:]) + "\n")


@dataclass(frozen=True)
class Hostile:
    """A hostile file: its name and how to write it."""

    name: str
    write: object  # (path) -> None
    local_only: bool = False  # too large to put in moto's memory
    has_email: bool = True  # an email before the hostile part is found (a gzip bomb stops first)


HOSTILE = (
    Hostile("bomb.parquet", lambda path: write_parquet_bomb(path, 1536 * _MIB)),
    Hostile("dictionary.parquet", _dictionary_bomb),
    Hostile("one-line.log", lambda path: write_long_line(path, 640 * _MIB), local_only=True),
    Hostile("one-line.log.gz", lambda path: write_long_line(path, 640 * _MIB, gzipped=True), has_email=False),
    Hostile("huge-value.json.gz", lambda path: write_huge_json_value(path, 640 * _MIB, gzipped=True)),
    Hostile("huge-value.json", lambda path: write_huge_json_value(path, 640 * _MIB), local_only=True),
    Hostile("bomb.log.gz", lambda path: write_gzip_bomb(path, _GIB), has_email=False),
    Hostile("deep.json", lambda path: write_deep_json(path, 1_000_000), has_email=False),
    Hostile("deep-line.jsonl", _deep_json_line),
    # The quoted field's lines, read in blocks, become rows of their own: too many to find the email.
    Hostile(
        "giant-field.csv",
        lambda path: write_csv_with_giant_field(path, 600 * _MIB),
        local_only=True,
        has_email=False,
    ),
    Hostile(
        "giant-field.csv.gz",
        lambda path: write_csv_with_giant_field(path, 640 * _MIB, gzipped=True),
        has_email=False,
    ),
)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for hostile in HOSTILE:
        hostile.write(folder / hostile.name)  # type: ignore[operator]
    return folder


@dataclass(frozen=True)
class Run:
    peak_mb: float
    exit_code: int
    stderr: str
    report: dict


# Runs its arguments as a command; prints the command's peak RSS (KiB) and exit code.
_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def _scan(source: str, sample_size: str, tmp_path: Path) -> Run:
    """``piimap scan SOURCE --format json`` in a new process, and that process's peak RSS."""
    report_path = tmp_path / "report.json"
    report_path.unlink(missing_ok=True)
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    command = [PIIMAP, "scan", source, "-q", "--no-store", "--format", "json", "-o", str(report_path)]
    with open(tmp_path / "stderr.txt", "w+b") as stderr:
        launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, *command, "--sample-size", sample_size],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        try:
            out, _ = launcher.communicate(timeout=300)  # a hang fails the test instead of the run
        except subprocess.TimeoutExpired:
            launcher.kill()
            raise
        stderr.seek(0)
        errors = stderr.read().decode("utf-8", "replace")
    peak_kib, exit_code = map(int, out.split())
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return Run(peak_kib / 1024, exit_code, errors, report)


def _check(run: Run, hostile: Hostile, where: str) -> None:
    assert run.peak_mb < LIMIT_MB, f"{where} {hostile.name}: peak RSS {run.peak_mb:.0f} MB"
    assert run.exit_code in (0, 2), f"{where} {hostile.name}: exit {run.exit_code}: {run.stderr}"
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    assert len(run.stderr.splitlines()) <= 2, run.stderr  # one line per problem
    assert run.report.get("findings") is not None, f"{where} {hostile.name}: no report written: {run.stderr}"
    if hostile.has_email:
        emails = [
            finding for finding in run.report["findings"] if finding["category"] == "user.contact.email"
        ]
        assert emails, (
            f"{where} {hostile.name}: the email before the hostile part was not found: {run.stderr}"
        )


# Every file read whole; files that can seek (not gzip) also sampled, in windows spread over them.
LOCAL_RUNS = [(hostile, "0") for hostile in HOSTILE] + [
    (hostile, "1000")
    for hostile in HOSTILE
    if not hostile.name.endswith(".gz") and hostile.name != "deep.json"
]


@pytest.mark.parametrize(
    ("hostile", "sample_size"), LOCAL_RUNS, ids=[f"{hostile.name}-{size}" for hostile, size in LOCAL_RUNS]
)
def test_peak_memory_of_a_local_file(
    hostile_dir: Path, tmp_path: Path, hostile: Hostile, sample_size: str
) -> None:
    run = _scan(str(hostile_dir / hostile.name), sample_size, tmp_path)
    print(f"local {hostile.name}, --sample-size {sample_size}: peak {run.peak_mb:.0f} MB")
    _check(run, hostile, "local")


@pytest.mark.parametrize(
    "hostile", [hostile for hostile in HOSTILE if not hostile.local_only], ids=lambda h: h.name
)
def test_peak_memory_of_an_s3_object(s3, hostile_dir: Path, tmp_path: Path, hostile: Hostile) -> None:
    """Read whole (``--sample-size 0``): these objects are smaller than a sample's ranged read."""
    bucket = s3.new_bucket()
    s3.put(bucket, hostile.name, (hostile_dir / hostile.name).read_bytes())
    run = _scan(f"s3://{bucket}/{hostile.name}", "0", tmp_path)
    print(f"S3 {hostile.name}: peak {run.peak_mb:.0f} MB")
    _check(run, hostile, "s3")


# Values too many and too long to hold between batches, from a generated stream (1.2 GB would not
# fit on a test machine's disk, and repeated text compresses past the gzip bomb guard).
_LONG_VALUES = """
import io, sys
from piimap.connectors.formats import iter_field_samples
from piimap.settings import ScanSettings

shape, rows = sys.argv[1], int(sys.argv[2])

def lines():
    if shape == "csv":
        yield ",".join(f"c{column}" for column in range(40)) + "\\n"
        for row in range(rows):
            yield ",".join(f"r{row}c{column}-" + "\u65e5" * 4000 for column in range(40)) + "\\n"
    else:
        for row in range(rows):
            yield '{"note": "r%d-' % row + "x" * 60000 + '"}\\n'

class Generated(io.RawIOBase):
    def __init__(self):
        self.lines, self.pending = lines(), b""
    def readable(self):
        return True
    def readinto(self, buffer):
        while len(self.pending) < len(buffer):
            line = next(self.lines, None)
            if line is None:
                break
            self.pending += line.encode()
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size

name = "export.csv" if shape == "csv" else "events.jsonl"
count = 0
for sample in iter_field_samples(io.BufferedReader(Generated(), 1 << 20), source="s", container=name,
                                 name=name, limit=0, settings=ScanSettings()):
    count += len(sample.values)
assert count == (rows * 40 if shape == "csv" else rows), count
"""


@pytest.mark.parametrize(("shape", "rows"), [("csv", 2000), ("jsonl", 20_000)])
def test_peak_memory_of_long_distinct_values_read_in_full(tmp_path: Path, shape: str, rows: int) -> None:
    """80,000 values of 4,000 CJK characters (960 MB of CSV), 20,000 JSON Lines values of 60 KB
    (1.2 GB): they peaked at 650 MB and 1.25 GB when every field's values were held until 100,000."""
    launcher = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-c", _LONG_VALUES, shape, str(rows)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    peak_kib, exit_code = map(int, launcher.stdout.split())
    print(f"{shape} long values read in full: peak {peak_kib / 1024:.0f} MB")
    assert exit_code == 0, launcher.stderr
    assert peak_kib / 1024 < LIMIT_MB
