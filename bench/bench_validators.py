"""Microseconds per distinct value for the email and IP validators: full path vs fast path, same run.

    .venv/bin/python bench/bench_validators.py [--values 20000] [--repeats 3]

Each case is a list of distinct values (so no cache answers a repeat). The full path is the
reference the fast path must agree with (``_is_email_slow``: ``email_validator.validate_email``
on every address; ``_ip_strength_slow``: regexes and :mod:`ipaddress`); the fast path is the
public function (``is_email``, ``ip_strength``) with every cache cleared first, so the per-domain
validation and the cache inserts are included. Times are CPU seconds of this process (the machine
is shared), the best of ``--repeats`` runs, divided by the number of values. Every case also
checks that both paths gave the same answer for every value.

A second table times the column judges a full read uses once a field is known to need every value
(``email_strengths``, ``ip_strengths``: one call for a whole list) against the per-value strength
functions on the same list, and checks they agree.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from piimap.classifiers.email import (
    _IN_TEXT,
    _checked_domain,
    _is_email_slow,
    _strength,
    email_strengths,
    find_emails,
    is_email,
)
from piimap.classifiers.ip_address import _ip_strength_slow, ip_strength, ip_strengths
from piimap.classifiers.prefilter import shape_of


@dataclass(frozen=True, slots=True)
class Case:
    """Values of one kind and the two ways of judging them."""

    name: str
    values: Sequence[str]
    slow: Callable[[str], object]
    fast: Callable[[str], object]


def clear_caches() -> None:
    for cached in (is_email, _checked_domain, ip_strength, shape_of):
        cached.cache_clear()


def cpu_microseconds_per_value(
    run: Callable[[], object], count: int, repeats: int, warm: Callable[[], object] | None = None
) -> float:
    """Best-of-``repeats`` CPU time of ``run()`` over ``count`` values, from cold caches, per value.

    ``warm`` (untimed) runs after the caches are cleared, for work that is not what is measured.
    """
    best = float("inf")
    for _ in range(repeats):
        clear_caches()
        if warm is not None:
            warm()
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best / count * 1e6


def judging_each(judge: Callable[[str], object], values: Sequence[str]) -> Callable[[], object]:
    """What :func:`cpu_microseconds_per_value` times for a per-value judge: every value once."""
    return lambda: [judge(value) for value in values]


def disagreements(case: Case) -> int:
    clear_caches()
    return sum(case.slow(value) != case.fast(value) for value in case.values)


def public_ipv4_addresses(count: int, seed: int = 7) -> list[str]:
    """``count`` distinct random IPv4 addresses the full path rates as public."""
    generator = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        value = ".".join(str(generator.randrange(256)) for _ in range(4))
        if _ip_strength_slow(value) == 0.95:
            found[value] = None
    return list(found)


def private_ipv4_addresses(count: int) -> list[str]:
    """``count`` distinct addresses from 10/8, 172.16/12 and 192.168/16."""
    prefixes = ("10.{}.{}.{}", "172.{}.{}.{}", "192.168.{}.{}")
    values = []
    for index in range(count):
        template = prefixes[index % 3]
        if template.startswith("172"):
            values.append(template.format(16 + index % 16, index // 256 % 256, index % 256))
        elif template.startswith("192"):
            values.append(template.format(index // 256 % 256, index % 256))
        else:
            values.append(template.format(index // 65536 % 256, index // 256 % 256, index % 256))
    return list(dict.fromkeys(values))


def find_emails_slow(line: str) -> tuple[str, ...]:
    """What ``find_emails`` returned before the fast path: each candidate fully validated."""
    return tuple(
        match.group(0) for match in _IN_TEXT.finditer(line) if _is_email_slow(match.group(0).strip(".'"))
    )


def find_emails_fast(line: str) -> tuple[str, ...]:
    return tuple(hit.text for hit in find_emails(line))


def build_cases(count: int) -> list[Case]:
    first = 100_000
    return [
        Case(
            "email, one domain (customer123456@example.com)",
            [f"customer{first + index}@example.com" for index in range(count)],
            _is_email_slow,
            is_email,
        ),
        Case(
            "email, 500 domains (40 addresses each)",
            [f"customer{first + index}@shop{index % 500}.example.org" for index in range(count)],
            _is_email_slow,
            is_email,
        ),
        Case(
            "email, a new domain for every address (worst case)",
            [f"c{index}@host{first + index}.example.net" for index in range(count)],
            _is_email_slow,
            is_email,
        ),
        Case(
            "email, non-ASCII local part (always the full path)",
            [f"müller{first + index}@example.de" for index in range(count // 4)],
            _is_email_slow,
            is_email,
        ),
        Case(
            "find_emails, log line per distinct address",
            [
                f'10.1.2.3 - - [27/Nov/2026] "GET /?u=customer{first + index}@example.com HTTP/1.1" 200'
                for index in range(count)
            ],
            find_emails_slow,
            find_emails_fast,
        ),
        Case("IPv4, distinct public addresses", public_ipv4_addresses(count), _ip_strength_slow, ip_strength),
        Case(
            "IPv4, distinct private addresses", private_ipv4_addresses(count), _ip_strength_slow, ip_strength
        ),
    ]


def column_cases(count: int) -> list[tuple[str, list[str], Callable[[str], float], Callable]]:
    first = 100_000
    return [
        (
            "email column, one domain",
            [f"customer{first + index}@example.com" for index in range(count)],
            _strength,
            email_strengths,
        ),
        (
            "email column, 500 domains",
            [f"c{first + index}@shop{index % 500}.example.org" for index in range(count)],
            _strength,
            email_strengths,
        ),
        (
            "email column, one value in 100 not an address",
            [
                f"customer{first + index}@example.com" if index % 100 else f"n/a {index}"
                for index in range(count)
            ],
            _strength,
            email_strengths,
        ),
        ("IPv4 column, distinct public addresses", public_ipv4_addresses(count), ip_strength, ip_strengths),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--values", type=int, default=20_000, help="distinct values per case")
    parser.add_argument("--repeats", type=int, default=3, help="runs per path; the best one counts")
    arguments = parser.parse_args()

    print(f"{'case':<54} {'values':>7} {'full us':>9} {'fast us':>9} {'speed-up':>9} {'differ':>7}")
    for case in build_cases(arguments.values):
        count = len(case.values)
        slow = cpu_microseconds_per_value(judging_each(case.slow, case.values), count, arguments.repeats)
        fast = cpu_microseconds_per_value(judging_each(case.fast, case.values), count, arguments.repeats)
        print(
            f"{case.name:<54} {len(case.values):>7} {slow:>9.2f} {fast:>9.2f} {slow / fast:>8.1f}x "
            f"{disagreements(case):>7}"
        )

    print()
    print(
        f"{'column judge (one call per list)':<54} {'values':>7} {'each us':>9} {'list us':>9} {'speed-up':>9} "
        f"{'differ':>7}"
    )
    for name, values, each, many in column_cases(arguments.values):
        one_by_one = cpu_microseconds_per_value(judging_each(each, values), len(values), arguments.repeats)
        at_once = cpu_microseconds_per_value(  # the first value's domain check is not what is measured
            lambda values=values, many=many: many(values),
            len(values),
            arguments.repeats,
            warm=lambda values=values, many=many: many(values[:1]),
        )
        clear_caches()
        differ = sum(left != right for left, right in zip(many(values), map(each, values)))
        print(
            f"{name:<54} {len(values):>7} {one_by_one:>9.2f} {at_once:>9.2f} {one_by_one / at_once:>8.1f}x "
            f"{differ:>7}"
        )


if __name__ == "__main__":
    main()
