"""``piimap hash [VALUE...]``: the example a scan with ``evidence: hmac`` records for a value.

To find where one person's data is, hash their email (or phone, IP, ...) with the same key the
scans used and search the reports or the history store for the result. Values given as arguments
end up in the shell's history; with no VALUE the values are read from stdin, one per line.
"""

from __future__ import annotations

import argparse
import sys

from piimap.evidence import DEFAULT_HMAC_KEY_ENV, evidence_policy, hmac_example
from piimap.exitcodes import ExitCode

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hash",
        help="print the HMAC-SHA256 example 'evidence: hmac' scans record for a value",
        description="Print hmac-sha256:<hex> for each VALUE (or each line of stdin) under the key in "
        f"${DEFAULT_HMAC_KEY_ENV} (or --key-env NAME), exactly as scans with 'evidence: hmac' record it.",
    )
    parser.add_argument("values", nargs="*", metavar="VALUE", help="values to hash (default: lines of stdin)")
    parser.add_argument(
        "--key-env",
        metavar="NAME",
        default=None,
        help=f"environment variable holding the key (default {DEFAULT_HMAC_KEY_ENV})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    policy = evidence_policy("hmac", args.key_env)
    values = args.values or (line.rstrip("\r\n") for line in sys.stdin)
    for value in values:
        if value.strip():
            sys.stdout.write(hmac_example(policy.key, value) + "\n")
    return ExitCode.OK
