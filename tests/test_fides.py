"""``--format fides``: a Fides dataset manifest (dataset -> collections -> fields -> data_categories)."""

from __future__ import annotations

import yaml

from piimap.model import Finding, ScanResult, SourceStatus
from piimap.reports import render_report
from piimap.reports.fides import fides_key


def finding(source, container, field, category):
    return Finding(source, container, field, category, 0.9, 9, 10, "test", ("x***",))


def result_with(*findings, sources=("app_db",)):
    return ScanResult(
        started="2024-01-01T00:00:00+00:00",
        finished="2024-01-01T00:00:01+00:00",
        sources=tuple(SourceStatus(name, f"sqlite:///{name}.db", "ok") for name in sources),
        findings=findings,
    )


def manifest(result):
    text = render_report("fides", result)
    assert text.startswith("# Fides dataset manifest")
    return yaml.safe_load(text)


def test_columns_become_fields_with_their_categories():
    document = manifest(
        result_with(
            finding("app_db", "main.accounts", "email", "user.contact.email"),
            finding("app_db", "main.accounts", "notes", "user.contact.email"),
            finding("app_db", "main.accounts", "notes", "user.contact.phone_number"),
            finding("app_db", "main.events", "ip", "user.device.ip_address"),
        )
    )
    (dataset,) = document["dataset"]
    assert dataset["fides_key"] == "app_db" and dataset["name"] == "app_db"
    collections = {collection["name"]: collection for collection in dataset["collections"]}
    assert set(collections) == {"main.accounts", "main.events"}
    fields = {field["name"]: field["data_categories"] for field in collections["main.accounts"]["fields"]}
    assert fields == {
        "email": ["user.contact.email"],
        "notes": ["user.contact.email", "user.contact.phone_number"],
    }


def test_document_paths_nest_and_text_is_one_field():
    document = manifest(
        result_with(
            finding("events", "db.clicks", "user.email", "user.contact.email"),
            finding("events", "db.clicks", "items[].phone", "user.contact.phone_number"),
            finding("events", "logs/access.log", None, "user.device.ip_address"),
            sources=("events",),
        )
    )
    collections = {c["name"]: c for c in document["dataset"][0]["collections"]}
    clicks = {field["name"]: field for field in collections["db.clicks"]["fields"]}
    assert clicks["user"]["fides_meta"] == {"data_type": "object"}
    assert clicks["user"]["fields"] == [{"name": "email", "data_categories": ["user.contact.email"]}]
    assert clicks["items"]["fides_meta"] == {"data_type": "object[]"}
    assert clicks["items"]["fields"][0]["data_categories"] == ["user.contact.phone_number"]
    assert collections["logs/access.log"]["fields"] == [
        {"name": "(text)", "data_categories": ["user.device.ip_address"]}
    ]


def test_every_source_is_a_dataset_with_a_valid_unique_key():
    document = manifest(result_with(sources=("sqlite:app", "sqlite:app", "web logs")))
    keys = [dataset["fides_key"] for dataset in document["dataset"]]
    assert len(set(keys)) == 3
    assert all(dataset["collections"] == [] for dataset in document["dataset"])


def test_fides_keys_keep_only_allowed_characters():
    assert fides_key("postgresql:shop") == "postgresql_shop"
    assert fides_key("web logs/2024") == "web_logs_2024"
    assert fides_key("a.b-c<d>") == "a.b-c<d>"
    assert fides_key("::") == "source"
