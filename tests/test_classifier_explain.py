"""``piimap explain``: findings with their evidence, and why other fields are not tagged."""

from __future__ import annotations

import re
import sqlite3

import pytest

from piimap.classifiers.base import format_confidence
from piimap.cli import main


def make_db(path) -> str:
    connection = sqlite3.connect(path)
    connection.execute("create table customers (id integer, email text, surname text, notes text)")
    for i in range(30):
        connection.execute(
            "insert into customers values (?, ?, ?, ?)",
            (
                i,
                f"user{i}@example.com",
                ("Smith", "Müller", "Tanaka")[i % 3],
                "call me on +1 415-555-0134" if i < 2 else "no answer",
            ),
        )
    connection.execute("create table genre (id integer, name text)")
    connection.executemany("insert into genre values (1, ?)", [("Rock",), ("Jazz",), ("Blues",)])
    connection.commit()
    connection.close()
    return f"sqlite:///{path}"


def test_explain_prints_evidence_and_reasons(tmp_path, capsys) -> None:
    url = make_db(tmp_path / "app.db")
    assert main(["explain", url]) == 0
    out = capsys.readouterr().out
    assert "main.customers.email" in out
    assert "TAGGED user.contact.email 1.00 by email: 30/30 values are valid email addresses" in out
    assert "u***@e***.com" in out and "user1@example.com" not in out
    assert "TAGGED user.name" in out and "field name 'surname' says 'surname'" in out
    assert "not tagged user.contact.phone_number: 2/30 values are valid phone numbers" in out
    assert "not tagged user.name: 0/3 values are person names; 'name' of a 'genre' record" in out
    assert "415-555-0134" not in out


def test_explain_field_filter(tmp_path, capsys) -> None:
    url = make_db(tmp_path / "app.db")
    assert main(["explain", "--field", "notes", url]) == 0
    out = capsys.readouterr().out
    assert "customers.notes" in out and "customers.email" not in out


@pytest.mark.parametrize(
    ("confidence", "threshold", "shown"),
    [
        (0.4995, 0.5, "0.499"),  # the case: never "0.50" beside "threshold 0.50"
        (0.49999, 0.5, "0.4999"),
        (0.5, 0.5, "0.50"),
        (0.8512, 0.5, "0.85"),
        (0.5004, 0.5004, "0.5004"),
        (0.0567, 0.057, "0.0567"),
    ],
)
def test_confidence_is_never_rounded_across_the_threshold(
    confidence: float, threshold: float, shown: str
) -> None:
    assert format_confidence(confidence, threshold) == shown
    assert (float(shown) >= threshold) is (confidence >= threshold)


def test_explain_prints_a_confidence_just_below_the_threshold_as_below_it(tmp_path, capsys) -> None:
    url = make_db(tmp_path / "app.db")
    assert main(["explain", "--field", "notes", url]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "user.contact.phone_number" in line)
    confidence = float(re.search(r"confidence ([0-9.]+)", line).group(1))
    # a threshold a hair above the confidence: two decimals would print both as the same number
    threshold = confidence + 0.0004
    assert f"{confidence:.2f}" == f"{threshold:.2f}"
    assert main(["explain", "--field", "notes", "--min-confidence", f"{threshold:.4f}", url]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "user.contact.phone_number" in line)
    shown, limit = re.search(r"confidence ([0-9.]+) \(threshold ([0-9.]+)\)", line).groups()
    assert float(shown) < float(limit), line
