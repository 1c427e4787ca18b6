"""The history store keeps findings, violations and container records through their dataclass
fields: what is written is what is read back, field for field."""

from __future__ import annotations

from pathlib import Path

from piimap.model import Finding, ScanResult, SourceStatus, Violation
from piimap.store import ContainerRecord, open_store


def test_records_come_back_as_they_were_written(tmp_path: Path) -> None:
    findings = (
        Finding(
            "db",
            "main.users",
            "email",
            "user.contact.email",
            0.93,
            40,
            41,
            "email",
            ("j***@e***.com",),
            "40/41",
        ),
        Finding("logs", "access.log", None, "user.device.ip_address", 0.7, 3, 9, "ip_address", (), ""),
        Finding(
            "db",
            "main.people",
            "name",
            "user.name",
            1.0,
            2,
            2,
            "person_name",
            ("Ž*** Ø***", "J*** D***"),
            "x",
        ),
    )
    violations = (
        Violation(
            "PIIMAP001",
            "found, not declared",
            source="db",
            container="main.users",
            field="email",
            category="user.contact.email",
            fingerprint="abc123",
        ),
        Violation("PIIMAP004", "shared", severity="warning", vendor="ga", suppressed="baseline"),
    )
    containers = (
        ContainerRecord("db", "main.users", "table", "rows:41", "scanned"),
        ContainerRecord("logs", "access.log", "file", None, "error"),
    )
    result = ScanResult(
        started="2026-12-05T07:00:00+00:00",
        finished="2026-12-05T07:01:00+00:00",
        sources=(
            SourceStatus("db", "sqlite:///x.db", "ok", None, 2),
            SourceStatus("logs", "/var/log", "ok", None, 1),
        ),
        findings=findings,
        violations=violations,
    )
    with open_store(f"sqlite:///{tmp_path / 'history.sqlite'}") as store:
        run_id = store.record(result, command="scan", containers=containers)
        assert store.findings(run_id) == sorted(
            findings, key=lambda f: (f.source, f.container, f.field or "", f.category)
        )
        assert sorted(store.violations(run_id), key=lambda v: v.rule) == list(violations)
        assert store.containers(run_id) == list(containers)
