"""``piimap explain``: findings with their evidence, and why other fields are not tagged."""

from __future__ import annotations

import sqlite3

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
