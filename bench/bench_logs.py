"""Log scanning speed and memory, against ``grep`` measured in the same run.

Generates a combined-format access log deterministically (default 200 MB) whose truth is known:
every line has a client IPv4 address, and a known number of lines carry an email address in the
query string (URL-encoded, ``%40``). Then, on the same file and machine:

1. ``LC_ALL=C grep -E -c`` with an email-or-IPv4 pattern (the reference, MB/s);
2. piimap's file connector alone (read + parse into counted field samples), with the C parser
   (``piimap.connectors._accesslog``) and with the pure-Python one (``PIIMAP_PURE_PYTHON=1``);
3. the full scan (connector + every classifier through the engine, ``--sample-size 0``), with the
   classifiers' default early stop and again with ``exhaustive`` (every value of every field
   classified). A full read counts every value of a field that matched, so both scans' counts are
   compared with the generator's truth;
4. peak RSS of a full scan (child process, ``resource.getrusage``) on the file and on a file
   ``--large-factor`` times larger, to show memory stays flat.

Before timing, one scan of a small log loads what a process loads once (plugins, compiled
patterns, the spaCy model); its time is printed on its own line, not counted in the rates.

Every rate is given twice: by wall-clock time, and by CPU time (``grep``'s from
``RUSAGE_CHILDREN``, piimap's from ``time.process_time``). On a shared, busy machine wall-clock
rates mostly measure the neighbours; the CPU-time ratio is the one to compare.

Run: ``.venv/bin/python bench/bench_logs.py [--mb 200] [--large-factor 4] [--dir DIR] [--keep]``.
Figures are printed, never asserted: compare ratios, not absolute numbers, on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchclock import Clock, Timing, time_grep

TARGET_RATIO = 0.25

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.4.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
]
PATHS = [
    "/",
    "/index.html",
    "/products",
    "/products/42",
    "/cart",
    "/checkout",
    "/static/app.js",
    "/static/site.css",
    "/api/v1/items",
    "/search",
    "/login",
    "/account/settings",
    "/blog/2023/10/hello-world",
    "/favicon.ico",
]
REFERRERS = [
    "-",
    "https://www.google.com/",
    "https://shop.example.com/products",
    "https://news.example.org/article/7",
]


@dataclass(frozen=True)
class Truth:
    lines: int
    email_lines: int
    size: int


def generate(path: Path, megabytes: int, seed: int = 20240101) -> Truth:
    """A deterministic combined access log of about ``megabytes`` MB; returns its known counts."""
    chooser = random.Random(seed)
    # Public unicast addresses only (11.0.0.0-99.255.255.255 holds no private, reserved or
    # version-like ranges), so every client address is one the IP classifier must count.
    clients = [
        ".".join(
            str(part)
            for part in (
                chooser.randint(11, 99),
                chooser.randint(0, 255),
                chooser.randint(0, 255),
                chooser.randint(1, 254),
            )
        )
        for _ in range(20_000)
    ]
    target = megabytes * 1_000_000
    lines = email_lines = size = 0
    with open(path, "w", encoding="ascii", newline="\n") as stream:
        while size < target:
            chunk = []
            for _ in range(10_000):
                # half the traffic from a few heavy clients (Pareto), half spread over all of them
                if chooser.random() < 0.5:
                    client = clients[min(int(chooser.paretovariate(1.2)) - 1, len(clients) - 1)]
                else:
                    client = chooser.choice(clients)
                path_part = chooser.choice(PATHS)
                roll = chooser.random()
                if roll < 0.08:
                    customer = chooser.randrange(10**6)
                    path_part += f"?email=customer{customer}%40example.com&utm_source=newsletter"
                    email_lines += 1
                elif roll < 0.35:
                    path_part += f"?q=shoes+size+{chooser.randint(36, 46)}&page={chooser.randint(1, 9)}"
                method = "POST" if roll > 0.97 else "GET"
                status = chooser.choice((200, 200, 200, 304, 404))
                chunk.append(
                    f"{client} - - [10/Oct/2023:13:{(lines // 60) % 60:02d}:{lines % 60:02d} +0000] "
                    f'"{method} {path_part} HTTP/1.1" {status} {chooser.randint(200, 90_000)} '
                    f'"{chooser.choice(REFERRERS)}" "{chooser.choice(AGENTS)}"\n'
                )
                lines += 1
            text = "".join(chunk)
            stream.write(text)
            size += len(text)
    return Truth(lines=lines, email_lines=email_lines, size=size)


def time_connector(path: Path, *, native: bool) -> tuple[Timing, int, int]:
    """Read and parse only; returns the timing, the values read and the distinct values classified."""
    from piimap.connectors.formats import iter_field_samples
    from piimap.settings import ScanSettings

    values = distinct = 0
    previous = os.environ.get("PIIMAP_PURE_PYTHON")
    os.environ["PIIMAP_PURE_PYTHON"] = "0" if native else "1"
    try:
        with Clock() as clock, open(path, "rb") as stream:
            for sample in iter_field_samples(
                stream, source="bench", container=str(path), name=path.name, limit=0, settings=ScanSettings()
            ):
                values += sample.occurrences
                distinct += len(sample.values)
    finally:
        if previous is None:
            os.environ.pop("PIIMAP_PURE_PYTHON", None)
        else:
            os.environ["PIIMAP_PURE_PYTHON"] = previous
    return clock.timing, values, distinct


def time_scan(path: Path, exhaustive: bool) -> tuple[Timing, dict[tuple[str | None, str], tuple[int, int]]]:
    from piimap.engine import SerialExecutor, scan
    from piimap.model import SourceSpec
    from piimap.settings import ScanSettings

    settings = ScanSettings(sample_size=0, exhaustive=exhaustive)
    with Clock() as clock:
        result = scan([SourceSpec("bench", str(path))], settings, executor=SerialExecutor())
    if result.errors:
        raise SystemExit(f"scan failed: {[error.one_line() for error in result.errors]}")
    return clock.timing, {(f.field, f.category): (f.matched, f.sampled) for f in result.findings}


_RSS_CHILD = """
import json, resource, sys, time
from piimap.engine import SerialExecutor, scan
from piimap.model import SourceSpec
from piimap.settings import ScanSettings
started = time.perf_counter()
result = scan([SourceSpec("bench", sys.argv[1])], ScanSettings(sample_size=0), executor=SerialExecutor())
print(json.dumps({"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time(),
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "errors": len(result.errors)}))
"""


def peak_rss(path: Path) -> dict[str, float]:
    command = [sys.executable, "-c", _RSS_CHILD, str(path)]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the generated log (default 200 MB)")
    parser.add_argument(
        "--large-factor",
        type=int,
        default=4,
        help="size of the memory check's larger file, in copies of the log",
    )
    parser.add_argument("--dir", help="where to write the logs (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated logs")
    args = parser.parse_args()

    directory = Path(args.dir or tempfile.mkdtemp(prefix="piimap-bench-logs-"))
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "access.log"
    try:
        started = time.perf_counter()
        truth = generate(log_path, args.mb)
        megabytes = truth.size / 1e6
        print(
            f"generated {megabytes:.0f} MB, {truth.lines} lines ({truth.email_lines} with an email) "
            f"in {time.perf_counter() - started:.1f}s"
        )

        from piimap.connectors.accesslog import native_parser_available

        warm_path = directory / "warm-up.log"
        generate(warm_path, 1, seed=7)
        with Clock() as warm_clock:
            time_scan(warm_path, exhaustive=False)
        print(
            f"start-up (plugins, patterns, spaCy model; once per process, not in the rates): "
            f"{warm_clock.timing.wall:.2f}s wall; C access-log parser built: "
            f"{'yes' if native_parser_available() else 'NO (pure Python)'}"
        )

        time_grep(log_path)  # warm the page cache
        grep_timing, grep_lines = time_grep(log_path)
        grep_wall, grep_cpu = grep_timing.rates(megabytes)
        print(f"{'':30}{'wall MB/s':>10} {'ratio':>6}  {'CPU MB/s':>9} {'ratio':>6}")
        print(
            f"{'grep -E -c email|IPv4':30}{grep_wall:10.1f} {1:6.3f}  {grep_cpu:9.1f} {1:6.3f}  "
            f"({grep_lines} matching lines; truth {truth.lines})"
        )

        def row(label: str, timing: Timing, note: str = "") -> None:
            wall, cpu = timing.rates(megabytes)
            print(f"{label:30}{wall:10.1f} {wall / grep_wall:6.3f}  {cpu:9.1f} {cpu / grep_cpu:6.3f}  {note}")

        for native in (True, False):
            timing, values, distinct = time_connector(log_path, native=native)
            label = "piimap connector, C parser" if native else "piimap connector, pure Python"
            row(label, timing, f"({values} values, {distinct} distinct in samples)")

        for exhaustive in (False, True):
            timing, found = time_scan(log_path, exhaustive)
            label = "piimap scan, exhaustive" if exhaustive else "piimap scan, default"
            wall, cpu = timing.rates(megabytes)
            met = min(wall / grep_wall, cpu / grep_cpu) >= TARGET_RATIO
            row(label, timing, f"(target ratio >= {TARGET_RATIO}: {'met' if met else 'NOT met'})")
            ips = found.get(("client_ip", "user.device.ip_address"), (0, 0))
            emails = found.get(("query.email", "user.contact.email"), (0, 0))
            agree = ips[0] == truth.lines and emails[0] == truth.email_lines
            print(
                f"    client_ip: {ips[0]}/{ips[1]} matched/sampled; query.email: {emails[0]}/{emails[1]}; "
                f"agree with the generator's truth (IPs {truth.lines}, emails {truth.email_lines}): "
                f"{'yes' if agree else 'NO'}"
            )

        large_path = directory / "access-large.log"
        with open(large_path, "wb") as large:
            for _ in range(args.large_factor):
                with open(log_path, "rb") as small:
                    shutil.copyfileobj(small, large, 1 << 20)
        small_rss = peak_rss(log_path)
        large_rss = peak_rss(large_path)
        print(
            f"peak RSS, full scan of {megabytes:.0f} MB: {small_rss['rss_mib']:.0f} MiB; "
            f"of {megabytes * args.large_factor:.0f} MB: {large_rss['rss_mib']:.0f} MiB "
            f"(ratio {large_rss['rss_mib'] / small_rss['rss_mib']:.2f} for {args.large_factor}x the data; "
            f"{megabytes * args.large_factor / large_rss['seconds']:.1f} MB/s wall, "
            f"{megabytes * args.large_factor / large_rss['cpu_seconds']:.1f} MB/s CPU)"
        )
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
