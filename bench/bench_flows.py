"""Observed-flow speed and memory on a large egress proxy log, against ``grep`` in the same run.

Generates, deterministically, a Squid native-format egress log (default 1 GB, 1024 MB) of an
application's servers with a realistic mix (the generator's truth is printed and checked):

- ``CONNECT host:443`` tunnels (no URL, nothing to read);
- API calls without a query string (payments, mail, object storage);
- Google Analytics Measurement Protocol hits with a new ``cid`` on most lines and the client's
  ``uip``;
- Meta Pixel hits carrying the SHA-256 of a customer's e-mail (``ud[em]``);
- a mail provider's look-ups by ``email=`` (URL-encoded);
- CDN and package-mirror requests and an unknown API whose parameters are not personal.

Then, on the same file and machine:

1. ``LC_ALL=C grep -E -c`` with the email-or-IPv4 pattern every log benchmark uses (the
   reference; ``grep -c`` on a fixed string is timed too, for scale);
2. ``piimap.flows.scan_flow_sources`` on the file in a child process (its peak RSS, ``VmHWM``, is its own):
   MB/s by CPU time and wall time, the flows found, and the peak RSS; again on a file a quarter
   the size, to show memory does not grow with the input;
3. the same read with ``PIIMAP_PURE_PYTHON=1`` on a small slice (the Python reference path), for
   scale.

The flows must come out the same whatever the size: Google Analytics (cookie id, IP address),
Meta Pixel (e-mail, hashed) and the mail provider (e-mail) with request counts equal to the
generator's truth, and nothing for the CDN, mirror, tunnels and non-personal API.

Run: ``.venv/bin/python bench/bench_flows.py [--mb 1024] [--dir DIR] [--keep]``. Figures are
printed, never asserted; the target is a CPU-time ratio of at least 0.25x grep.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchclock import Clock, time_grep

TARGET_RATIO = 0.25
_BASE_EPOCH = 1_763_625_600  # 2025-11-20T08:00:00Z


@dataclass
class Truth:
    lines: int = 0
    ga: int = 0
    pixel: int = 0
    mail: int = 0
    bytes: int = 0


#: (action, size, method, peer, content type) of each kind of line
_GA = ("TCP_MISS/200", 35, "GET", "HIER_DIRECT/142.250.1.1", "image/gif")
_PIXEL = ("TCP_MISS/200", 44, "GET", "HIER_DIRECT/157.240.1.35", "image/gif")
_MAIL = ("TCP_MISS/200", 812, "GET", "HIER_DIRECT/192.0.2.40", "application/json")
_CDN = ("TCP_HIT/200", 61_000, "GET", "HIER_NONE/-", "application/javascript")
_WEATHER = ("TCP_MISS/200", 2048, "GET", "HIER_DIRECT/198.51.100.90", "application/json")


def _line(epoch: float, client: str, url: str, kind: tuple[str, int, str, str, str]) -> str:
    action, size, method, peer, mime = kind
    return f"{epoch:.3f} {20 + size % 900:6d} {client} {action} {size} {method} {url} - {peer} {mime}\n"


def generate(path: Path, megabytes: int, seed: int = 15) -> Truth:
    """Write the egress log; return what it holds."""
    rng = random.Random(seed)
    truth = Truth()
    target = megabytes << 20
    customers = [f"customer{index}@example{index % 7}.com" for index in range(20_000)]
    digests = [hashlib.sha256(email.encode()).hexdigest() for email in customers]
    encoded = [email.replace("@", "%40") for email in customers]
    clients = [f"10.20.{index // 250}.{index % 250 + 1}" for index in range(40)]
    tunnels = ["api.stripe.com:443", "hooks.slack.com:443", "api.github.com:443", "sts.amazonaws.com:443"]
    epoch = float(_BASE_EPOCH)
    with path.open("w", encoding="ascii", buffering=1 << 20) as stream:
        chunk: list[str] = []
        while truth.bytes < target:
            epoch += rng.random() * 0.02
            client = clients[rng.randrange(40)]
            draw = rng.random()
            if draw < 0.30:
                size = rng.randrange(900, 90_000)
                text = _line(
                    epoch,
                    client,
                    tunnels[rng.randrange(4)],
                    ("TCP_TUNNEL/200", size, "CONNECT", "HIER_DIRECT/198.51.100.20", "-"),
                )
            elif draw < 0.50:
                key = f"{rng.getrandbits(48):012x}"
                text = _line(
                    epoch,
                    client,
                    f"https://storage.stratus-cloud.example/backups/{key}.json.gz",
                    ("TCP_MISS/200", rng.randrange(300, 9000), "PUT", "HIER_DIRECT/198.51.100.7", "-"),
                )
            elif draw < 0.68:
                cid = f"{rng.randrange(100_000_000, 2_147_483_647)}.{_BASE_EPOCH - rng.randrange(9_999_999)}"
                uip = f"{rng.choice((81, 89, 203, 198))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                url = (f"https://www.google-analytics.com/collect?v=1&tid=UA-4242-1&cid={cid}&t=event&ec=checkout"
                       f"&ea=step{rng.randrange(5)}&uip={uip}&ds=server")  # fmt: skip
                text = _line(epoch, client, url, _GA)
                truth.ga += 1
            elif draw < 0.73:
                who = rng.randrange(20_000)
                url = f"https://www.facebook.com/tr/?id=4827163950112233&ev=Purchase&ud[em]={digests[who]}&cd[value]={rng.randrange(10, 500)}"
                text = _line(epoch, client, url, _PIXEL)
                truth.pixel += 1
            elif draw < 0.81:
                who = rng.randrange(20_000)
                url = f"https://api.mailrelay.example/v1/suppressions?email={encoded[who]}&list=marketing"
                text = _line(epoch, client, url, _MAIL)
                truth.mail += 1
            elif draw < 0.90:
                url = (f"https://cdn.jsdelivr.net/npm/chart.js@4.{rng.randrange(5)}.{rng.randrange(9)}/dist/chart.umd.min.js"
                       f"?v={rng.getrandbits(32):08x}")  # fmt: skip
                text = _line(epoch, client, url, _CDN)
            else:
                url = (f"https://api.weather-data.example/v2/forecast?lat={rng.uniform(-60, 60):.3f}"
                       f"&lon={rng.uniform(-180, 180):.3f}&units=metric&page={rng.randrange(1, 40)}")  # fmt: skip
                text = _line(epoch, client, url, _WEATHER)
            chunk.append(text)
            truth.lines += 1
            truth.bytes += len(text)
            if len(chunk) >= 4096:
                stream.write("".join(chunk))
                chunk.clear()
        stream.write("".join(chunk))
    return truth


_CHILD = r"""
import json, sys, time
from piimap.flowmodel import FlowSourceSpec
from piimap.flows import scan_flow_sources
from piimap.settings import ScanSettings
# what a process loads once (plugins, catalogue, classifiers' patterns), on a small file: not timed
warm_start = time.process_time()
scan_flow_sources([FlowSourceSpec("warm", sys.argv[2], "app", format="squid")], ScanSettings())
warm = time.process_time() - warm_start
start_wall, start_cpu = time.perf_counter(), time.process_time()
scanned = scan_flow_sources([FlowSourceSpec("egress", sys.argv[1], "app", format="squid")], ScanSettings())
cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
print(json.dumps({
    "cpu": cpu, "wall": wall, "warm": warm,
    "rss_mib": next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024,
    "errors": [error.one_line() for error in scanned.errors],
    "flows": {flow.vendor: [flow.categories, flow.count, flow.requests] for flow in scanned.flows},
}))
"""


def run_child(path: Path, warm: Path, pure_python: bool = False) -> dict:
    env = {**os.environ, "PIIMAP_PURE_PYTHON": "1" if pure_python else "0"}
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(warm)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"flow scan failed: {result.stderr.strip().splitlines()[-1:]}")
    return json.loads(result.stdout)


def _slice(source: Path, target: Path, megabytes: float) -> Path:
    """The first ``megabytes`` of ``source`` (whole lines), copied in small blocks."""
    left = int(megabytes * (1 << 20))
    with source.open("rb") as reader, target.open("wb") as writer:
        while left > 0:
            block = reader.read(min(left, 1 << 20))
            if not block:
                break
            left -= len(block)
            if left <= 0:
                block = block[: block.rfind(b"\n") + 1]
            writer.write(block)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of the egress log (default 1024)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write it (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="piimap-bench-flows-"))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "egress.log"
    try:
        with Clock() as clock:
            truth = generate(log, args.mb)
        megabytes = log.stat().st_size / (1 << 20)
        print(f"generated {megabytes:.0f} MB, {truth.lines:,} lines in {clock.timing.wall:.1f}s: "
              f"{truth.ga:,} GA hits, {truth.pixel:,} Meta Pixel hits, {truth.mail:,} mail look-ups")  # fmt: skip

        time_grep(log)  # warm the page cache
        grep_timing, grep_lines = time_grep(log)
        grep_rate = megabytes / max(grep_timing.cpu, 1e-9)
        fixed_timing, _ = time_grep(log, "facebook")
        print(f"grep -E -c email|IPv4: {grep_rate:8.1f} MB/s CPU ({grep_lines:,} lines); "
              f"grep -c facebook: {megabytes / max(fixed_timing.cpu, 1e-9):.1f} MB/s CPU")  # fmt: skip

        warm = _slice(log, folder / "warm.log", 0.5)
        measured = run_child(log, warm)
        print(
            f"start-up (plugins, catalogue, classifiers) on a 0.5 MB file, not counted: {measured['warm']:.2f}s CPU"
        )
        rate, wall_rate = megabytes / measured["cpu"], megabytes / measured["wall"]
        print(f"piimap flows (C tally):  {rate:8.1f} MB/s CPU, {wall_rate:.1f} MB/s wall; "
              f"ratio {rate / grep_rate:.3f}x grep (target {TARGET_RATIO}x); peak RSS {measured['rss_mib']:.0f} MiB")  # fmt: skip
        quarter = run_child(_slice(log, folder / "quarter.log", megabytes / 4), warm)
        print(
            f"peak RSS on a quarter of the file: {quarter['rss_mib']:.0f} MiB (flat memory: about the same)"
        )
        small = _slice(log, folder / "small.log", min(16.0, megabytes / 8))
        pure = run_child(small, warm, pure_python=True)
        small_mb = small.stat().st_size / (1 << 20)
        print(f"pure-Python reference path on {small_mb:.0f} MB: {small_mb / pure['cpu']:.1f} MB/s CPU")

        flows = measured["flows"]
        print("flows:", json.dumps(flows, sort_keys=True))
        expected = {
            "google_analytics": (["user.device.cookie_id", "user.device.ip_address"], truth.ga),
            "meta_pixel": (["user.contact.email"], truth.pixel),
            "unknown:mailrelay.example": (["user.contact.email"], truth.mail),
        }
        agree = set(flows) == set(expected) and all(
            flows[vendor][0] == categories and flows[vendor][1] == count
            for vendor, (categories, count) in expected.items()
        )
        print(f"flows and request counts agree with the generator's truth: {'yes' if agree else 'NO'}"
              + ("" if not measured["errors"] else f"; errors: {measured['errors']}"))  # fmt: skip
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
