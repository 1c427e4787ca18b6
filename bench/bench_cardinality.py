"""Full-scan speed, memory and counts of logs at three cardinalities, in three formats, against ``grep``.

Real traffic is not a few clients hitting a few pages: a busy site or an API logs a new client
address on almost every line, ids in its paths and a fresh session cookie per visitor, and the
scanner's work grows with the number of *distinct* values. This script generates, deterministically,
one log per format and cardinality, each with a known number of lines holding an IPv4 address (all
of them) and an email address (about 8%):

formats
    ``nginx`` (combined format with a cookie field), ``jsonl`` (one JSON event per line), ``text``
    (an application log: timestamp, level, worker, message);
cardinalities
    ``few``: 2,000 clients, 40 pages, 200 customers, a few user agents and cookies;
    ``ip``: every line from a new client IP address, the rest as in ``few``;
    ``ids``: every line from a new IP, with a UUID in its path, a unique session cookie and order
    id, a unique customer email and a varied user agent (browser and OS versions).

For each file, in the same run: ``LC_ALL=C grep -E -c`` with an email-or-IPv4 pattern (the
reference, its CPU time from ``RUSAGE_CHILDREN``), then a full scan (``--sample-size 0``, every
classifier, the engine's serial executor) in a fresh child process, which first scans a small
file of the same format to load what a process loads once (plugins, patterns, the spaCy model;
not counted) and reports the scan's CPU time (``time.process_time``) and its peak RSS
(``ru_maxrss``, start-up included; the peak after the small scan is printed beside it, to show
how much of it the log itself adds). Rates are MB per CPU-second: on a shared machine wall-clock
rates mostly measure the neighbours.

The table gives MB/s for piimap and grep, their ratio, the peak RSS, and the IP and email line
counts piimap found against the generator's truth. Goal, every row: ratio >= 0.25, peak RSS <=
250 MiB, counts within 2% of the truth.

Each file is measured ``--runs`` times (default 3; ``grep`` and the scan alternately, in the same
run) and the table gives the medians (the ratio is the median of the runs' ratios; the peak RSS
is the largest), with the spread of the ratio beside it: on a shared machine one run says little.

Run: ``.venv/bin/python bench/bench_cardinality.py [--mb 200] [--runs 3] [--formats nginx,jsonl,text]
[--cardinalities few,ip,ids] [--dir DIR] [--keep]``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchclock import time_grep

TARGET_RATIO = 0.25
TARGET_RSS_MIB = 250
TARGET_COUNT_ERROR = 0.02
FORMATS = ("nginx", "jsonl", "text")
CARDINALITIES = ("few", "ip", "ids")
EMAIL_SHARE = 0.08

PAGES = [
    "/",
    "/cart",
    "/checkout",
    "/search",
    "/login",
    "/account/settings",
    "/static/app.js",
    "/static/site.css",
    "/favicon.ico",
    "/blog/2023/10/hello-world",
] + [f"/products/{number}" for number in range(30)]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.4.0",
    "okhttp/4.9.3",
]
REFERRERS = [
    "-",
    "https://www.google.com/",
    "https://news.example.org/article/7",
    "https://shop.example.com/",
]
DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "example.co.uk"]
LEVELS = ("INFO", "INFO", "INFO", "WARN", "DEBUG")


@dataclass(frozen=True)
class Event:
    """One request, in whatever format it is written."""

    ip: str
    method: str
    path: str
    query: str
    status: int
    size: int
    referrer: str
    agent: str
    session: str
    email: str | None
    millis: int


@dataclass(frozen=True)
class Truth:
    lines: int
    ip_lines: int
    email_lines: int
    size: int


def _public_ip(number: int) -> str:
    """The ``number``-th of a run of distinct public IPv4 addresses (first octet 11-99)."""
    mixed = (number * 2654435761) & 0xFFFFFF  # odd multiplier: a bijection on 24 bits
    first = 11 + (number >> 24) % 89
    return f"{first}.{mixed >> 16}.{(mixed >> 8) & 255}.{mixed & 255}"


class EventMaker:
    """Events of one cardinality, deterministic for a seed."""

    def __init__(self, cardinality: str, seed: int) -> None:
        self.cardinality = cardinality
        self.chooser = random.Random(seed)
        chooser = self.chooser
        self.clients = [_public_ip(chooser.randrange(1 << 30)) for _ in range(2000)]
        self.customers = [f"customer{index}@{chooser.choice(DOMAINS)}" for index in range(200)]
        self.sessions = [f"{chooser.getrandbits(128):032x}" for _ in range(300)]
        self.count = 0

    def next(self) -> Event:
        chooser = self.chooser
        index = self.count
        self.count += 1
        unique = self.cardinality == "ids"
        ip = (
            self.clients[chooser.randrange(len(self.clients))]
            if self.cardinality == "few"
            else _public_ip(index)
        )
        if unique:
            order = uuid.UUID(int=chooser.getrandbits(128), version=4)
            path = chooser.choice(
                [
                    f"/api/v1/orders/{order}",
                    f"/api/v1/users/{chooser.randrange(10**7)}/cart",
                    f"/t/{order.hex}",
                ]
            )
            session = f"{chooser.getrandbits(128):032x}"
            agent = (
                f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{chooser.randint(90, 131)}.0.{chooser.randint(1000, 6999)}.{chooser.randint(10, 250)} "
                f"Safari/537.36"
                if chooser.random() < 0.7
                else f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{chooser.randint(0, 6)} like Mac OS X) "
                f"AppleWebKit/605.1.15 Mobile/15E{chooser.randint(100, 999)}"
            )
        else:
            path = chooser.choice(PAGES)
            session = self.sessions[chooser.randrange(len(self.sessions))]
            agent = chooser.choice(AGENTS)
        email = None
        roll = chooser.random()
        if roll < EMAIL_SHARE:
            email = (
                f"c{index}.{chooser.getrandbits(20):x}@{chooser.choice(DOMAINS)}"
                if unique
                else chooser.choice(self.customers)
            )
            query = f"email={email.replace('@', '%40')}&utm_source=newsletter"
        elif roll < 0.35:
            query = f"q=shoes+size+{chooser.randint(36, 46)}&page={chooser.randint(1, 9)}"
        else:
            query = f"order={chooser.getrandbits(40):x}" if unique and roll < 0.6 else ""
        return Event(
            ip=ip,
            method="POST" if roll > 0.97 else "GET",
            path=path,
            query=query,
            status=chooser.choice((200, 200, 200, 304, 404)),
            size=chooser.randint(200, 90_000),
            referrer=chooser.choice(REFERRERS),
            agent=agent,
            session=session,
            email=email,
            millis=index * 37,
        )


def _clock(millis: int) -> tuple[int, int, int, int]:
    seconds = millis // 1000
    return seconds // 3600 % 24, seconds // 60 % 60, seconds % 60, millis % 1000


def nginx_line(event: Event) -> str:
    hours, minutes, seconds, _ = _clock(event.millis)
    target = f"{event.path}?{event.query}" if event.query else event.path
    return (
        f"{event.ip} - - [10/Oct/2023:{hours:02d}:{minutes:02d}:{seconds:02d} +0000] "
        f'"{event.method} {target} HTTP/1.1" {event.status} {event.size} "{event.referrer}" "{event.agent}" '
        f'"sid={event.session}; theme=dark"\n'
    )


def jsonl_line(event: Event) -> str:
    hours, minutes, seconds, millis = _clock(event.millis)
    record = {
        "ts": f"2024-03-05T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z",
        "level": "info",
        "msg": "request served",
        "http": {"method": event.method, "path": event.path, "status": event.status, "bytes": event.size},
        "client_ip": event.ip,
        "user_agent": event.agent,
        "session_id": event.session,
    }
    if event.email is not None:
        record["user"] = {"email": event.email}
    elif event.query:
        record["query"] = event.query
    return json.dumps(record, separators=(",", ":")) + "\n"


def text_line(event: Event) -> str:
    hours, minutes, seconds, millis = _clock(event.millis)
    level = LEVELS[event.size % len(LEVELS)]
    worker = event.size % 16 + 1
    who = f" user={event.email}" if event.email is not None else ""
    return (
        f"2024-03-05 {hours:02d}:{minutes:02d}:{seconds:02d},{millis:03d} {level} [worker-{worker}] "
        f"{event.method} {event.path} from {event.ip} status={event.status} took {event.size % 900}ms{who} "
        f"sid={event.session[:12]}\n"
    )


WRITERS: dict[str, tuple[str, Callable[[Event], str]]] = {
    "nginx": ("access.log", nginx_line),
    "jsonl": ("events.jsonl", jsonl_line),
    "text": ("app.log", text_line),
}


def generate(path: Path, fmt: str, cardinality: str, megabytes: float, seed: int = 20260301) -> Truth:
    """A log of about ``megabytes`` MB; every line holds an IPv4 address, some an email."""
    maker = EventMaker(cardinality, seed)
    write_line = WRITERS[fmt][1]
    target = int(megabytes * 1_000_000)
    lines = emails = size = 0
    with open(path, "w", encoding="ascii", newline="\n") as stream:
        while size < target:
            chunk = []
            for _ in range(10_000):
                event = maker.next()
                emails += event.email is not None
                chunk.append(write_line(event))
            text = "".join(chunk)
            stream.write(text)
            size += len(text)
            lines += len(chunk)
    return Truth(lines=lines, ip_lines=lines, email_lines=emails, size=size)


_SCAN_CHILD = """
import json, resource, sys, time
from piimap.engine import SerialExecutor, scan
from piimap.model import SourceSpec
from piimap.settings import ScanSettings
settings = ScanSettings(sample_size=0)
scan([SourceSpec("warm", sys.argv[2])], settings, executor=SerialExecutor())
warm_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
wall, cpu = time.perf_counter(), time.process_time()
result = scan([SourceSpec("bench", sys.argv[1])], settings, executor=SerialExecutor())
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({
    "cpu": cpu, "wall": wall, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "warm_rss_mib": warm_rss,
    "errors": [error.one_line() for error in result.errors],
    "findings": [[f.field, f.category, f.matched, f.sampled] for f in result.findings],
}))
"""


def scan_in_child(path: Path, warm_path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", _SCAN_CHILD, str(path), str(warm_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def lines_found(findings: list[list], category: str) -> int:
    """Lines holding ``category``: the most matched of any field (each line has at most one such field)."""
    return max((matched for _field, found, matched, _sampled in findings if found == category), default=0)


@dataclass(frozen=True)
class Run:
    """One measurement of one file: rates (MB per CPU-second), peak RSS and the counts found."""

    rate: float
    grep_rate: float
    rss_mib: float
    warm_rss_mib: float
    ips: int
    emails: int

    @property
    def ratio(self) -> float:
        return self.rate / self.grep_rate


def measure(megabytes: float, grep_cpu: float, measured: dict, truth: Truth) -> Run:
    return Run(
        rate=megabytes / max(measured["cpu"], 1e-9),
        grep_rate=megabytes / max(grep_cpu, 1e-9),
        rss_mib=measured["rss_mib"],
        warm_rss_mib=measured["warm_rss_mib"],
        ips=lines_found(measured["findings"], "user.device.ip_address"),
        emails=lines_found(measured["findings"], "user.contact.email"),
    )


def table_row(fmt: str, cardinality: str, megabytes: float, runs: list[Run], truth: Truth) -> str:
    """Medians of the runs (the ratio: of the runs' ratios, with their range), the largest RSS."""
    ratios = [run.ratio for run in runs]
    ratio = statistics.median(ratios)
    rss = max(run.rss_mib for run in runs)
    warm_rss = max(run.warm_rss_mib for run in runs)
    counts_ok = all(
        abs(found - wanted) <= TARGET_COUNT_ERROR * wanted
        for run in runs
        for found, wanted in ((run.ips, truth.ip_lines), (run.emails, truth.email_lines))
    )
    met = ratio >= TARGET_RATIO and rss <= TARGET_RSS_MIB and counts_ok
    spread = f"{min(ratios):.3f}-{max(ratios):.3f}" if len(runs) > 1 else "-"
    return (
        f"{fmt:7}{cardinality:12}{megabytes:6.0f}{statistics.median(run.rate for run in runs):13.1f}"
        f"{statistics.median(run.grep_rate for run in runs):11.1f}{ratio:8.3f}{spread:>16}"
        f"{rss:7.0f} MiB ({warm_rss:4.0f} MiB)  {runs[0].ips:>10} ({truth.ip_lines:>9})  "
        f"{runs[0].emails:>8} ({truth.email_lines:>8})  {'met' if met else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=200, help="size of each generated log (default 200 MB)")
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help="comma-separated, of: " + ", ".join(FORMATS)
    )
    parser.add_argument(
        "--cardinalities",
        default=",".join(CARDINALITIES),
        help="comma-separated, of: " + ", ".join(CARDINALITIES),
    )
    parser.add_argument("--runs", type=int, default=3, help="measurements of each file; medians are shown")
    parser.add_argument("--dir", help="where to write the logs (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated logs")
    args = parser.parse_args()
    formats = [name for name in args.formats.split(",") if name]
    cardinalities = [name for name in args.cardinalities.split(",") if name]

    from piimap.connectors.accesslog import native_parser_available

    directory = Path(args.dir or tempfile.mkdtemp(prefix="piimap-bench-cardinality-"))
    directory.mkdir(parents=True, exist_ok=True)
    print(
        f"C access-log parser built: {'yes' if native_parser_available() else 'NO (pure Python)'}; "
        f"load average {os.getloadavg()[0]:.2f}; rates are MB per CPU-second"
    )
    header = (
        f"{'format':7}{'cardinality':12}{'MB':>6}{'piimap MB/s':>13}{'grep MB/s':>11}{'ratio':>8}"
        f"{'(runs)':>16}{'peak RSS (start-up)':>21}  {'IP lines (truth)':>22}  {'email lines (truth)':>20}  goal"
    )
    rows = []
    try:
        for fmt in formats:
            file_name = WRITERS[fmt][0]
            warm_path = directory / f"warm-{file_name}"
            generate(warm_path, fmt, "ids", 0.5, seed=7)
            for cardinality in cardinalities:
                path = directory / f"{cardinality}-{file_name}"
                started = time.perf_counter()
                truth = generate(path, fmt, cardinality, args.mb)
                generated = time.perf_counter() - started
                megabytes = truth.size / 1e6
                time_grep(path)  # warm the page cache
                runs = []
                for _ in range(max(1, args.runs)):
                    grep_timing, grep_lines = time_grep(path)
                    measured = scan_in_child(path, warm_path)
                    runs.append(measure(megabytes, grep_timing.cpu, measured, truth))
                    print(
                        f"  {fmt}/{cardinality}: generated {megabytes:.0f} MB, {truth.lines} lines in "
                        f"{generated:.1f}s; grep {grep_lines} lines, {grep_timing.cpu:.3f}s CPU; scan "
                        f"{measured['cpu']:.3f}s CPU, {measured['wall']:.2f}s wall; ratio {runs[-1].ratio:.3f}; "
                        f"load {os.getloadavg()[0]:.1f}"
                        + (f"; errors: {measured['errors']}" if measured["errors"] else ""),
                        flush=True,
                    )
                rows.append(table_row(fmt, cardinality, megabytes, runs, truth))
                if not args.keep:
                    path.unlink()
        print()
        print(header)
        for row in rows:
            print(row)
        print(
            f"goal: ratio >= {TARGET_RATIO}, peak RSS <= {TARGET_RSS_MIB} MiB, counts within "
            f"{TARGET_COUNT_ERROR:.0%} of the truth (every run); medians of {max(1, args.runs)} runs; "
            f"load average at the end {os.getloadavg()[0]:.2f}"
        )
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
