"""The C access-log parser under AddressSanitizer and UndefinedBehaviorSanitizer.

The extension is compiled again with ``-fsanitize=address,undefined`` into a temporary folder and
loaded in a child Python (the ASan runtime preloaded), which feeds it generated logs, the odd lines
the Python parser must take back, and random byte soup, and compares its fields with the Python
parser's. Any out-of-bounds read or write, use after free or undefined behaviour aborts the child
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

from piimap.connectors import accesslog
from piimap.connectors.fmt_lines import iter_line_blocks
from columns_helpers import expanded
from test_accesslog_native import generated_log

accesslog.AccessLogTally = instrumented.AccessLogTally

def both(data, block_size):
    results = []
    for native in (True, False):
        blocks = iter_line_blocks(io.BytesIO(data), 1 << 16, block_size=block_size)
        results.append(expanded(list(accesslog.AccessLogParser(native=native).parse_blocks(blocks))))
    return results

chooser = random.Random(1)
pieces = [b" ", b'"', b"\\", b"-", b"[", b"]", b"?", b"&", b"=", b";", b",", b"%", b"%4", b"+", b"\t", b"a",
          b"0", b".", b"\xc3\xa9", b"\xff", b"\n", b"1.2.3.4", b"x=y", b"GET /?a=b HTTP/1.1", b" 200 1"]
soup = b"".join(chooser.choice(pieces) for _ in range(200_000))
accesslog.NATIVE_MAX_DISTINCT = 500  # many drains
for seed, data in enumerate([generated_log(3000, seed=1), generated_log(2000, seed=2) + soup, soup]):
    native, python = both(data, block_size=1 << (8 + 3 * seed))
    assert native == python, f"case {seed} differs"
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
