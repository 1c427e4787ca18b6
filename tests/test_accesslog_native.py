"""The C access-log parser against the Python one: same fields, same values, same counts.

``piimap.connectors._accesslog`` is an optional speed-up; ``connectors/accesslog.py`` is the
reference. Every test feeds the same bytes to both paths of :meth:`AccessLogParser.parse_blocks`
and compares every field's multiset of values (nulls included): generated logs with every shape
the C parser handles, lines it must hand back, and lines drawn by hypothesis from a grammar of
hostile pieces. CI must build the extension (``test_the_extension_is_built_in_ci``), so these
tests never pass by skipping there.
"""

from __future__ import annotations

import io
import os
import random
import threading
from collections import Counter

import pytest
from columns_helpers import expanded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piimap.connectors import accesslog, logtally
from piimap.connectors.accesslog import AccessLogParser, native_parser_available
from piimap.connectors.fmt_lines import iter_line_blocks, iter_line_views
from piimap.connectors.logtally import TallyBudget

needs_native = pytest.mark.skipif(
    logtally.LogTally is None, reason="the C extension piimap.connectors._accesslog is not built"
)
#: every value counted exactly, as the Python parser counts them (no shapes)
EXACT = TallyBudget.exact()

AGENTS = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.4.0", "-", ""]
EXTRAS = [
    "",
    ' "_ga=GA1.2.1234567890.1600000000; sid=abc%20123"',
    ' "198.51.100.9, 10.0.0.1"',
    ' "198.51.100.9,198.51.100.9"',
    ' "free text" "-" ""',
    ' "a=1;"',
    ' "session=x%40y.org; theme=dark; "',
    " trailing words",
]


def parse_both(data: bytes, block_size: int = 4096, budget: TallyBudget = EXACT) -> tuple[dict, dict]:
    """``data`` parsed by the C path (every value counted exactly) and by the Python path."""
    results = []
    for native in (True, False):
        parser = AccessLogParser(native=native, budget=budget)
        blocks = iter_line_blocks(io.BytesIO(data), 1 << 16, block_size=block_size)
        results.append(expanded(list(parser.parse_blocks(blocks))))
    return results[0], results[1]


def generated_log(count: int, seed: int) -> bytes:
    chooser = random.Random(seed)
    lines = []
    for index in range(count):
        target = chooser.choice(["/", "/a%20b", "/cart", "/search", "/caf%C3%A9", "/x%2"])
        roll = chooser.random()
        if roll < 0.2:
            target += f"?email=user{chooser.randrange(50)}%40example.com&src=mail&plus=a+b%2Bc"
        elif roll < 0.4:
            target += f"?q=red+shoes&page={chooser.randint(1, 3)}&empty=&flag&=orphan&&bad=%zz%4"
        elif roll < 0.45:
            target += "?"
        request = chooser.choice(
            [
                f"GET {target} HTTP/1.1",
                f"POST {target} HTTP/2.0",
                "-",
                "",
                target,
                f"GET {target}",
                f"A B C {target}",
            ]
        )
        referrer = chooser.choice(
            ["-", "https://example.org/r?u=a%40b.org", "https://example.com/", "", "%2D"]
        )
        user = chooser.choice(["-", "jane", "j%40ne"])
        status = chooser.choice(["200", "304", "-"])
        size = chooser.choice([str(index), "-"])
        line = (
            f"{chooser.randint(11, 99)}.{chooser.randint(0, 255)}.0.{chooser.randint(1, 254)} - {user} "
            f'[10/Oct/2023:13:55:{index % 60:02d} +0000] "{request}" {status} {size}'
        )
        shape = chooser.random()
        if shape < 0.1:
            pass  # common format: no referrer, no agent
        elif shape < 0.15:
            line += f' "{referrer}"'  # one quoted field: an extra, not a referrer
        else:
            line += f' "{referrer}" "{chooser.choice(AGENTS)}"{chooser.choice(EXTRAS)}'
        lines.append(line + chooser.choice(["\n", "\r\n"]))
    return "".join(lines).encode()


@needs_native
@pytest.mark.parametrize("seed", range(6))
def test_generated_logs_give_the_same_fields_both_ways(seed: int) -> None:
    native, python = parse_both(generated_log(1500, seed), block_size=1 << (10 + seed))
    assert native == python
    assert native["client_ip"].total() == 1500


@needs_native
@pytest.mark.parametrize(
    "odd_line",
    [
        "\n",
        "server restarted by admin@example.com\n",
        '10.1.2.3 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.1" 200 1 "-" "UA"\n',  # 4 words in the head
        '10.1.2.3 - - [10/Oct/2000:13:55:36 +0000] "GET /a\\"b HTTP/1.1" 200 1 "-" "UA\\x22"\n',  # escapes
        '10.1.2.3 - - [10/Oct/2000:13:55:36 +0000] "GET /\u00e9t\u00e9?q=\u00e9 HTTP/1.1" 200 1 "-" "UA"\n',
        '10.1.2.3 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "caf\u00e9 agent"\n',
        '10.1.2.3 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "UA" x "late"\n',
        '10.1.2.3 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 2000 1 "-" "UA"\n',
        '10.1.2.3 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "unterminated\n',
        '"10.1.2.3" - "jane" [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "UA"\n',
        "\xff\xfe broken bytes\n",
    ],
)
def test_lines_the_c_parser_hands_back_are_parsed_in_python(odd_line: str) -> None:
    odd = odd_line.encode("utf-8", "surrogateescape")
    data = generated_log(40, seed=9) + odd + generated_log(40, seed=10)
    native, python = parse_both(data)
    assert native == python


@needs_native
@pytest.mark.parametrize("quoted_fields", [0, 1, 2, 3, 8, 62, 63, 64, 65, 66, 70])
@pytest.mark.parametrize("odd_quote", [False, True])
@pytest.mark.parametrize("escaped", ["", "%40", "caf\u00e9", 'a\\"b'])
def test_lines_with_many_quoted_fields_give_the_same_fields_both_ways(
    quoted_fields: int, odd_quote: bool, escaped: str
) -> None:
    """The C parser finds a line's quotes in one pass, up to a limit (64 quoted fields after the
    size): at, below and past it, with a stray quote, an escape, a non-ASCII or a backslash, it
    counts what the Python parser counts, or hands the line back (fewer cookie names than the
    100 a file keeps fields for: past them, which names come first differs)."""
    quoted = "".join(f' "c{index}=v{index}{escaped if index == 1 else ""}"' for index in range(quoted_fields))
    line = f'81.2.69.160 - - [10/Oct/2023:13:55:36 +0000] "GET /a?e=j{escaped}%40x.io HTTP/1.1" 200 5{quoted}'
    line += ' tail"' if odd_quote else " tail"
    data = generated_log(20, seed=3) + (line + "\n").encode() * 3 + generated_log(20, seed=4)
    for part_values in (8192, 0):  # each line's parts checked once and kept, or parsed every time
        native, python = parse_both(data, budget=TallyBudget(exact_values=1 << 40, part_values=part_values))
        assert native == python


@needs_native
@pytest.mark.parametrize("pairs", [1, 2, 31, 32, 33, 40])
@pytest.mark.parametrize("spacing", ["; ", ";", " ;  ", ";\t"])
@pytest.mark.parametrize("ending", ["", ";", "; ", " ", "; x", ";=1"])
def test_cookie_fields_of_many_pairs_give_the_same_fields_both_ways(
    pairs: int, spacing: str, ending: str
) -> None:
    """The C parser splits a cookie field in one pass up to 32 pairs, and again pair by pair past
    them; both against the Python parser, with spaces, empty values and endings that are not pairs."""
    cookie = (
        spacing.join(f"k{index}={'' if index % 7 == 3 else f'v{index} '}" for index in range(pairs)) + ending
    )
    line = f'81.2.69.160 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8" "{cookie}"'
    data = generated_log(10, seed=5) + (line + "\n").encode() * 2 + generated_log(10, seed=6)
    for part_values in (8192, 0):
        native, python = parse_both(data, budget=TallyBudget(exact_values=1 << 40, part_values=part_values))
        assert native == python


@needs_native
@pytest.mark.parametrize("part_values", [8192, 0, 3])
def test_many_drains_add_up_to_one(part_values: int) -> None:
    data = generated_log(3000, seed=11)
    whole, _ = parse_both(data)
    drained_often, _ = parse_both(
        data, budget=TallyBudget(exact_values=1 << 40, part_values=part_values, max_distinct=50)
    )
    assert drained_often == whole


@needs_native
def test_more_parameter_names_than_the_c_parser_keeps_fall_back_to_python() -> None:
    lines = [
        f"10.0.0.{index % 250 + 1} - - [10/Oct/2000:13:55:36 +0000] "
        f'"GET /?p{index}=v{index} HTTP/1.1" 200 1 "-" "UA"\n'
        for index in range(4200)
    ]
    native, python = parse_both("".join(lines).encode(), block_size=1 << 20)
    # Past 100 names per file, values go to the field "query" as name=value; which names come
    # first differs (the C parser hands lines back before it drains), what is counted does not.
    for fields in (native, python):
        assert sum(1 for field in fields if str(field).startswith("query.")) == accesslog.MAX_PARAMETER_FIELDS
    assert (
        pairs_of_queries(native)
        == pairs_of_queries(python)
        == Counter(f"p{index}=v{index}" for index in range(4200))
    )


def pairs_of_queries(fields: dict[str | None, Counter[str]]) -> Counter[str]:
    pairs = Counter(fields.get("query", Counter()))
    for field, values in fields.items():
        if str(field).startswith("query."):
            pairs.update({f"{field[len('query.') :]}={value}": count for value, count in values.items()})
    return pairs


PIECES = st.sampled_from(
    [
        " ",
        '"',
        "\\",
        "-",
        "[",
        "]",
        "?",
        "&",
        "=",
        ";",
        ",",
        "%",
        "%4",
        "%40",
        "%zz",
        "+",
        "\t",
        "\x1f",
        "a",
        "Z",
        "0",
        "9",
        ".",
        ":",
        "/",
        "\u00e9",
        "\u00a0",
        "1.2.3.4",
        "x=y",
        "GET",
        "HTTP/1.1",
    ]
)
FIELD = st.lists(PIECES, max_size=8).map("".join)


@pytest.mark.slow
@needs_native
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    client=FIELD,
    user=FIELD,
    time=FIELD,
    request=FIELD,
    status=st.sampled_from(["200", "-", "20", "2x0"]),
    size=st.sampled_from(["1", "-", "", "12a"]),
    quoted=st.lists(FIELD, max_size=5),
    trailing=FIELD,
    repeat=st.integers(1, 3),
)
def test_lines_from_hostile_pieces_give_the_same_fields_both_ways(
    client: str,
    user: str,
    time: str,
    request: str,
    status: str,
    size: str,
    quoted: list[str],
    trailing: str,
    repeat: int,
) -> None:
    quoted_fields = "".join(f' "{field}"' for field in quoted)
    line = f'{client} - {user} [{time}] "{request}" {status} {size}{quoted_fields}{trailing}'
    data = (line + "\n").encode() * repeat + generated_log(3, seed=repeat)
    native, python = parse_both(data)
    assert native == python


@needs_native
def test_two_threads_parse_two_files_at_once_with_the_same_results() -> None:
    logs = [generated_log(4000, seed=seed) for seed in (21, 22)]
    expected = [parse_both(log, block_size=1 << 16)[1] for log in logs]
    results: list[dict | None] = [None, None]

    def parse(index: int) -> None:
        blocks = iter_line_blocks(io.BytesIO(logs[index]), 1 << 16, block_size=1 << 16)
        results[index] = expanded(list(AccessLogParser(native=True, budget=EXACT).parse_blocks(blocks)))

    threads = [threading.Thread(target=parse, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda line: line.replace(b"\n", b"")), max_size=30),
    final_newline=st.booleans(),
    block_size=st.integers(1, 64),
)
def test_line_views_are_the_line_blocks_without_copies(lines, final_newline, block_size) -> None:
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    blocks = list(iter_line_blocks(io.BytesIO(data), 41, block_size=block_size))
    views = [bytes(view) for view in iter_line_views(io.BytesIO(data), 41, block_size=block_size)]
    assert b"".join(views) == b"".join(blocks) == data
    assert all(view.endswith(b"\n") for view in views[:-1])


@pytest.mark.parametrize("block_size", [1, 7, 64, 100])  # a line inside one read is kept whole
def test_line_views_cut_a_line_longer_than_the_cap_and_keep_the_next(block_size: int) -> None:
    data = b"short\n" + b"x" * 500 + b"\n" + b"next\n" + b"y" * 300
    lines = b"".join(bytes(view) for view in iter_line_views(io.BytesIO(data), 64, block_size=block_size))
    assert lines.split(b"\n") == [b"short", b"x" * 64, b"next", b"y" * 64, b""]


def test_the_switch_turns_the_c_parser_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIIMAP_PURE_PYTHON", "1")
    assert not native_parser_available()
    assert not AccessLogParser()._native


@pytest.mark.skipif(not os.environ.get("CI"), reason="only CI must build the C extension")
def test_the_extension_is_built_in_ci() -> None:
    assert logtally.LogTally is not None, "piimap.connectors._accesslog was not compiled"
