"""Free-text log scanning speed: the line prefilter on and off, against ``grep`` in the same run.

Generates a deterministic application log (default 50 MB): every line has a timestamp, a level,
a worker and a pid; about 20% of the lines hold an email address, about 20% an IPv4 address,
0.5% a phone number, 5% a UUID (keyed as a device id, a request id or a trace id), 1% a MAC
address, 0.5% an IPv6 address, 1% a session cookie or a GA cookie value, and ``--name-share``
(default none) a person's name. The rest is log chatter shaped like personal data without being
it (versions such as ``Chrome/96.0.4664.110``, ``Class::method``, capitalised phrases, long ids).
Then, on the same file and machine:

1. ``LC_ALL=C grep -E -c`` with an email-or-IPv4 pattern (the reference, MB/s);
2. the full scan (file connector + every classifier through the engine, ``--sample-size 0``)
   with the prefilter (each finder runs only on the lines its classifier's block-level test
   selects), and again without it (``without_prefilter()``: every finder on every line);
3. with ``--baseline REVISION``, the same scan by the code of that git revision (``git archive``
   into the bench directory, run in a child process), e.g. the code before the prefilter;
4. the findings of every scan compared (category, matched, sampled, confidence, examples,
   evidence): they must be identical, and the exit code is 1 when they are not.

Person names: any name-shaped line makes the classifier run spaCy on up to 32 lines per sample of
5000, on every path alike (about 80 ms a sample here), so ``--name-share 0.005`` measures spaCy
more than the prefilter.

Before timing, one scan of a small log loads what a process loads once (plugins, compiled
patterns, name lists, the spaCy model). Rates are given by wall-clock and by CPU time
(``time.process_time`` for piimap, ``RUSAGE_CHILDREN`` for ``grep``); on a shared machine the
CPU-time figures are the ones to compare.

Run: ``.venv/bin/python bench/bench_text_logs.py [--mb 50] [--baseline HEAD] [--name-share 0]
[--dir DIR] [--keep]``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from benchclock import Clock, Timing, time_grep

TARGET_SPEED_UP = 10.0

FIRST_NAMES = ["James", "Maria", "Robert", "Linda", "Michael", "Susan", "Thomas", "Karen", "Daniel", "Laura"]
LAST_NAMES = ["Johnson", "Garcia", "Miller", "Martinez", "Anderson", "Taylor", "Thompson", "Robinson"]
DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "example.co.uk"]
AGENTS = ["Chrome/96.0.4664.110", "Firefox/121.0", "Safari/605.1.15", "okhttp/4.9.3", "curl/8.4.0"]
CHATTER = [
    "cache hit ratio 0.{n2} for catalogue shard {n1}",
    "GC pause {n2}ms, heap {n3} MB of 4096 MB",
    "worker heartbeat ok (queue depth {n1})",
    "Retrying Connection Pool after {n1}s backoff",
    "Scheduler::tick finished {n3} jobs in {n2}.{n1}s",
    "batch {n7} committed, offset {n9}",
    "config reloaded from /etc/app/app.yaml (version 3.{n1}.{n2})",
    "Health Check passed for Payment Service",
    "slow query on orders table took {n3} ms (rows={n4})",
    "feature flag checkout_v2 evaluated to true for tenant {n2}",
]


@dataclass(frozen=True)
class Truth:
    lines: int
    email_lines: int
    ipv4_lines: int
    size: int


def _message(
    chooser: random.Random, users: list[str], clients: list[str], name_share: float
) -> tuple[str, bool, bool]:
    """One log message; says whether it holds an email and whether it holds an IPv4 address."""
    roll = chooser.random()
    if roll < name_share:
        name = f"{chooser.choice(FIRST_NAMES)} {chooser.choice(LAST_NAMES)}"
        return f"ticket {chooser.randrange(1000, 10000)} assigned to {name}", False, False
    roll = chooser.random()
    numbers = {
        f"n{digits}": chooser.randrange(10 ** (digits - 1), 10**digits) for digits in (1, 2, 3, 4, 7, 9)
    }
    if roll < 0.20:
        template = chooser.choice(
            [
                "password reset requested for {email}",
                "sent order confirmation {n7} to {email}",
                "login ok user={email} agent={agent}",
            ]
        )
        return (
            template.format(email=chooser.choice(users), agent=chooser.choice(AGENTS), **numbers),
            True,
            False,
        )
    if roll < 0.40:
        template = chooser.choice(
            [
                "connection from {ip}:{port} accepted",
                "GET /api/v1/items/{n4} from {ip} took {n2}ms agent={agent}",
                "rate limit exceeded for client {ip} (limit {n3}/min)",
            ]
        )
        text = template.format(
            ip=chooser.choice(clients),
            port=chooser.randint(1024, 65535),
            agent=chooser.choice(AGENTS),
            **numbers,
        )
        return text, False, True
    if roll < 0.405:
        phone = chooser.choice(
            [
                f"+1 {chooser.randint(201, 989)}-{chooser.randint(200, 999)}-{chooser.randint(1000, 9999)}",
                f"({chooser.randint(201, 989)}) {chooser.randint(200, 999)}-{chooser.randint(1000, 9999)}",
                f"+44 20 {chooser.randint(7000, 8999)} {chooser.randint(1000, 9999)}",
                f"+49 30 {chooser.randint(1000000, 9999999)}",
            ]
        )
        return f"sms verification code sent to {phone}", False, False
    if roll < 0.455:
        uuid = "-".join(f"{chooser.getrandbits(bits):0{bits // 4}x}" for bits in (32, 16, 16, 16, 48))
        key = chooser.choice(["request_id", "trace", "device_id", "idfa"])
        return f"push token registered {key}={uuid}", False, False
    if roll < 0.465:
        mac = ":".join(f"{chooser.getrandbits(8) & 0xFE:02x}" for _ in range(6))
        return f"dhcp lease renewed for {mac}", False, False
    if roll < 0.47:
        address = f"2001:db8:{chooser.getrandbits(16):x}::{chooser.getrandbits(16):x}"
        return f"upstream {address} healthy", False, False
    if roll < 0.48:
        token = f"{chooser.getrandbits(128):032x}"
        cookie = chooser.choice(
            [f"sessionid={token}", f"_ga=GA1.2.{numbers['n9']}.16{numbers['n7']}{numbers['n1']}"]
        )
        return f"cookie header {cookie}; theme=dark", False, False
    return chooser.choice(CHATTER).format(**numbers), False, False


def generate(path: Path, megabytes: float, seed: int = 20240305, name_share: float = 0.0) -> Truth:
    """A deterministic application log of about ``megabytes`` MB; returns its known counts.

    ``name_share`` of the lines name a person ("ticket 1234 assigned to Maria Garcia").
    """
    chooser = random.Random(seed)
    users = [
        f"{chooser.choice(FIRST_NAMES).lower()}.{chooser.choice(LAST_NAMES).lower()}{index}@{chooser.choice(DOMAINS)}"
        for index in range(5000)
    ]
    # public unicast addresses only (11-99 as the first octet), so each is one the IP finder counts
    clients = [
        f"{chooser.randint(11, 99)}.{chooser.randint(0, 255)}.{chooser.randint(0, 255)}.{chooser.randint(1, 254)}"
        for _ in range(20_000)
    ]
    target = int(megabytes * 1_000_000)
    lines = email_lines = ipv4_lines = size = 0
    with open(path, "w", encoding="ascii", newline="\n") as stream:
        while size < target:
            chunk = []
            for _ in range(10_000):
                message, has_email, has_ipv4 = _message(chooser, users, clients, name_share)
                email_lines += has_email
                ipv4_lines += has_ipv4
                seconds = lines // 40
                chunk.append(
                    f"2024-03-05 {seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d},"
                    f"{lines % 1000:03d} {chooser.choice(('INFO', 'INFO', 'INFO', 'WARN', 'DEBUG'))} "
                    f"[worker-{chooser.randint(1, 16)}] pid={chooser.randint(1000, 40000)} {message}\n"
                )
                lines += 1
            text = "".join(chunk)
            stream.write(text)
            size += len(text)
    return Truth(lines=lines, email_lines=email_lines, ipv4_lines=ipv4_lines, size=size)


Findings = dict[str, list]


def findings_of(result) -> Findings:
    """Everything a report shows of each finding, keyed by field and category (JSON-friendly)."""
    return {
        f"{finding.field}|{finding.category}": [
            finding.matched,
            finding.sampled,
            finding.confidence,
            finding.classifier,
            list(finding.examples),
            finding.evidence,
        ]
        for finding in result.findings
    }


def time_scan(path: Path, *, prefilter: bool) -> tuple[Timing, Findings]:
    """One full scan of ``path`` in this process, with or without the line prefilter."""
    from piimap.classifiers.base import without_prefilter
    from piimap.engine import SerialExecutor, scan
    from piimap.model import SourceSpec
    from piimap.settings import ScanSettings

    with contextlib.ExitStack() as stack:
        if not prefilter:
            stack.enter_context(without_prefilter())
        with Clock() as clock:
            result = scan(
                [SourceSpec("bench", str(path))], ScanSettings(sample_size=0), executor=SerialExecutor()
            )
    if result.errors:
        raise SystemExit(f"scan failed: {[error.one_line() for error in result.errors]}")
    return clock.timing, findings_of(result)


_BASELINE_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import piimap
from bench_text_logs import findings_of
from piimap.engine import SerialExecutor, scan
from piimap.model import SourceSpec
from piimap.settings import ScanSettings
assert piimap.__file__.startswith(sys.argv[2]), piimap.__file__
scan([SourceSpec("warm", sys.argv[4])], ScanSettings(sample_size=0), executor=SerialExecutor())
wall, cpu = time.perf_counter(), time.process_time()
result = scan([SourceSpec("bench", sys.argv[3])], ScanSettings(sample_size=0), executor=SerialExecutor())
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "findings": findings_of(result)}))
"""


def baseline_packages(revision: str, directory: Path) -> Path:
    """The ``piimap`` package as it was at ``revision``, laid out for ``sys.path`` (``git archive``: read-only)."""
    repository = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "-C", str(repository), "archive", revision], capture_output=True, check=True
    )
    source = directory / "baseline-source"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(source, filter="data")
    layout = tomllib.loads((source / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    packages = directory / "baseline-packages"
    for package, folder in sorted(layout.items()):  # "piimap" before its subpackages
        shutil.copytree(source / folder, packages.joinpath(*package.split(".")), dirs_exist_ok=True)
    return packages


def time_baseline_scan(packages: Path, path: Path, warm_path: Path) -> tuple[Timing, Findings]:
    """One full scan of ``path`` by the code in ``packages``, in a child process (after one warm-up scan)."""
    command = [
        sys.executable,
        "-c",
        _BASELINE_CHILD,
        str(Path(__file__).resolve().parent),
        str(packages),
        str(path),
        str(warm_path),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=packages)
    measured = json.loads(output.stdout.strip().splitlines()[-1])
    return Timing(measured["wall"], measured["cpu"]), measured["findings"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50, help="size of the generated log (default 50 MB)")
    parser.add_argument(
        "--name-share",
        type=float,
        default=0.0,
        help="share of lines naming a person (default 0; any share puts spaCy on every sample)",
    )
    parser.add_argument(
        "--baseline",
        metavar="REVISION",
        help="also time the code of this git revision (for example HEAD) on the same log",
    )
    parser.add_argument("--dir", help="where to write the logs (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated logs")
    args = parser.parse_args()

    directory = Path(args.dir or tempfile.mkdtemp(prefix="piimap-bench-text-"))
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "app.log"
    try:
        started = time.perf_counter()
        truth = generate(log_path, args.mb, name_share=args.name_share)
        megabytes = truth.size / 1e6
        print(
            f"generated {megabytes:.0f} MB, {truth.lines} lines ({truth.email_lines} with an email, "
            f"{truth.ipv4_lines} with an IPv4 address) in {time.perf_counter() - started:.1f}s"
        )

        warm_path = directory / "warm-up.log"
        generate(warm_path, 0.5, seed=7, name_share=args.name_share)
        with Clock() as warm_clock:
            time_scan(warm_path, prefilter=True)
            time_scan(warm_path, prefilter=False)
        print(
            f"start-up (plugins, patterns, name lists, spaCy model; not in the rates): "
            f"{warm_clock.timing.wall:.2f}s wall"
        )

        time_grep(log_path)  # warm the page cache
        grep_timing, grep_lines = time_grep(log_path)
        grep_wall, grep_cpu = grep_timing.rates(megabytes)
        print(f"{'':30}{'wall MB/s':>10}  {'CPU MB/s':>9}  {'CPU s':>7}")
        print(
            f"{'grep -E -c email|IPv4':30}{grep_wall:10.1f}  {grep_cpu:9.1f}  {grep_timing.cpu:7.2f}  "
            f"({grep_lines} matching lines; generator: {truth.email_lines + truth.ipv4_lines})"
        )

        runs = {
            "piimap scan, prefilter": time_scan(log_path, prefilter=True),
            "piimap scan, no prefilter": time_scan(log_path, prefilter=False),
        }
        if args.baseline:
            packages = baseline_packages(args.baseline, directory)
            runs[f"piimap scan, {args.baseline}"] = time_baseline_scan(packages, log_path, warm_path)
        for label, (timing, _) in runs.items():
            wall, cpu = timing.rates(megabytes)
            print(f"{label:30}{wall:10.1f}  {cpu:9.1f}  {timing.cpu:7.2f}")
        with_timing, with_findings = runs["piimap scan, prefilter"]
        for label, (timing, _) in list(runs.items())[1:]:
            speed_up = timing.cpu / max(with_timing.cpu, 1e-9)
            print(
                f"speed-up over '{label}' (CPU time): {speed_up:.1f}x "
                f"(target >= {TARGET_SPEED_UP:.0f}x: {'met' if speed_up >= TARGET_SPEED_UP else 'NOT met'})"
            )
        print(f"prefilter scan at {grep_timing.cpu / max(with_timing.cpu, 1e-9):.3f}x grep's CPU rate")

        for key, found in sorted(with_findings.items(), key=lambda item: item[0]):
            print(f"    {key.split('|')[1]:28} {found[0]:>8}/{found[1]} lines, confidence {found[2]:.2f}")
        emails = with_findings.get("None|user.contact.email", [0])[0]
        ips = with_findings.get("None|user.device.ip_address", [0])[0]
        print(
            f"email lines {emails} (generator {truth.email_lines}); IP lines {ips} "
            f"(generator: {truth.ipv4_lines} with an IPv4, plus IPv6 lines)"
        )
        same = True
        for label, (_, findings) in list(runs.items())[1:]:
            agree = findings == with_findings
            same = same and agree
            print(f"findings identical to '{label}': {'yes' if agree else 'NO'}")
            for key in sorted(set(findings) | set(with_findings)):
                if findings.get(key) != with_findings.get(key):
                    print(f"    differs: {key}: {with_findings.get(key)} != {findings.get(key)}")
        if not same:
            sys.exit(1)
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
