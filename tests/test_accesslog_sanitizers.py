"""The C log tally (access logs, JSON Lines, text, shapes) under AddressSanitizer and UBSan.

The extension is compiled again with ``-fsanitize=address,undefined`` into a temporary folder and
loaded in a child Python (the ASan runtime preloaded), which feeds it generated logs of the three
formats, the odd lines the Python parsers must take back, and random byte soup, and compares its
fields with the Python parsers' (every value exactly; and, counted by shape with tiny budgets,
the same number of values per field), and computes the shapes of random bytes. Any out-of-bounds read or write, use after free or undefined behaviour aborts the child
with the sanitizer's report, and the test fails with it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "connectors" / "_accesslog.c"

CHILD = r"""
import importlib.machinery, importlib.util, io, random, sys
sys.path.insert(0, sys.argv[2])
spec = importlib.util.spec_from_file_location(
    "piimap.connectors._accesslog", sys.argv[1],
    loader=importlib.machinery.ExtensionFileLoader("piimap.connectors._accesslog", sys.argv[1]))
instrumented = importlib.util.module_from_spec(spec)
spec.loader.exec_module(instrumented)

from piimap.connectors import logtally
from piimap.connectors.accesslog import AccessLogParser
from piimap.connectors.fmt_json import JsonLinesParser
from piimap.connectors.logtally import TallyBudget
from test_accesslog_native import generated_log
from test_logtally import (
    _TextParser, high_cardinality_access_log, high_cardinality_json_lines, high_cardinality_text, json_lines,
    parse_both, text_lines,
)

logtally.LogTally = instrumented.LogTally

chooser = random.Random(1)
pieces = [b" ", b'"', b"\\", b"-", b"[", b"]", b"?", b"&", b"=", b";", b",", b"%", b"%4", b"+", b"\t", b"a",
          b"0", b".", b"\xc3\xa9", b"\xff", b"\n", b"1.2.3.4", b"x=y", b"GET /?a=b HTTP/1.1", b" 200 1", b"{", b"}",
          b":", b"::", b"@", b"a@b.co", b"\\u00e9", b"\\ud800", b"fe80::1", b"\r", b"\x01", b"~"]
soup = b"".join(chooser.choice(pieces) for _ in range(200_000))
# every value exactly, drained often: the same fields as the Python parsers
exact = TallyBudget(exact_values=1 << 40, part_values=64, max_distinct=500)
cases = [
    (AccessLogParser, [generated_log(3000, seed=1), generated_log(2000, seed=2) + soup, soup]),
    (JsonLinesParser, [json_lines(3000, seed=1), json_lines(1000, seed=2) + soup]),
    (_TextParser, [text_lines(3000, seed=1), text_lines(1000, seed=2) + soup]),
]
for parser_type, inputs in cases:
    for seed, data in enumerate(inputs):
        native, python = parse_both(parser_type, data, block_size=1 << (8 + 3 * seed), budget=exact)
        assert native == python, f"{parser_type.__name__} case {seed} differs"
# shapes: a few exact values, small shape budgets, many drains
shaped = TallyBudget(exact_values=3, part_values=5, reps=2, max_shapes=50, max_distinct=200)
for parser_type, data in [
    (AccessLogParser, high_cardinality_access_log(4000)[0] + soup),
    (JsonLinesParser, high_cardinality_json_lines(4000)[0] + soup),
    (_TextParser, high_cardinality_text(4000)[0] + soup),
]:
    native, python = parse_both(parser_type, data, block_size=1 << 12, budget=shaped)
    assert {field: counts.total() for field, counts in native.items()} == {
        field: counts.total() for field, counts in python.items()
    }, parser_type.__name__
for start in range(0, len(soup), 997):
    for text in (False, True):
        instrumented.shape(soup[start : start + chooser.randrange(1, 300)], text=text)
print("sanitized runs agree")
"""


def _sanitizer_runtime(name: str) -> str | None:
    compiler = shutil.which("gcc")
    if compiler is None:
        return None
    found = subprocess.run(
        [compiler, f"-print-file-name={name}"], capture_output=True, text=True
    ).stdout.strip()
    return found if os.path.isabs(found) and os.path.exists(found) else None


@pytest.mark.slow
def test_the_c_parser_is_clean_under_address_and_undefined_behaviour_sanitizers(tmp_path: Path) -> None:
    asan, ubsan = _sanitizer_runtime("libasan.so"), _sanitizer_runtime("libubsan.so")
    if asan is None or ubsan is None:
        pytest.skip("gcc with libasan and libubsan is needed to build the instrumented extension")
    library = tmp_path / f"_accesslog{sysconfig.get_config_var('EXT_SUFFIX')}"
    subprocess.run(
        [
            "gcc",
            "-O1",
            "-g",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=undefined",
            "-fno-omit-frame-pointer",
            "-std=c11",
            "-fPIC",
            "-shared",
            f"-I{sysconfig.get_paths()['include']}",
            str(SOURCE),
            "-o",
            str(library),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    environment = {
        **os.environ,
        "LD_PRELOAD": f"{asan} {ubsan}",
        "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        "PIIMAP_PURE_PYTHON": "",
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(library), str(ROOT / "tests")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    assert "sanitized runs agree" in child.stdout
