"""The MongoDB connector: flattening, discovery, sampling, errors.

Most tests run on mongomock through the connector's ``client_factory`` seam; the unreachable-host
test drives the real pymongo driver against a closed local port; ``test_real_server_*`` run
against a real MongoDB when ``PIIMAP_TEST_MONGODB_URL`` is set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import mongomock
import mongomock.aggregate
import pytest
from bson import Binary, Decimal128, ObjectId

from piimap.connectors import mongo
from piimap.connectors.mongo import MongoConnector, flatten_document
from piimap.model import ContainerKind, ContainerUnreadable, SourceSpec, SourceUnavailable
from piimap.plugins import connector_factory_for
from piimap.settings import ScanSettings

REAL_MONGODB_URL = os.environ.get("PIIMAP_TEST_MONGODB_URL")


@pytest.fixture
def mock_client(monkeypatch: pytest.MonkeyPatch) -> mongomock.MongoClient:
    """One mongomock client that every connector in the test gets from ``client_factory``."""
    client = mongomock.MongoClient()
    seen_options: list[dict] = []

    def factory(url: str, **options: object) -> mongomock.MongoClient:
        seen_options.append(options)
        return client

    monkeypatch.setattr(mongo, "client_factory", factory)
    client.seen_options = seen_options  # type: ignore[attr-defined]
    return client


def connector(url: str = "mongodb://db.example:27017/", **options: object) -> MongoConnector:
    return MongoConnector(SourceSpec("mongo", url, options), ScanSettings())


def samples_by_field(conn: MongoConnector, container, limit: int) -> dict[str, list]:
    by_field: dict[str, list] = {}
    for sample in conn.sample(container, limit):
        by_field.setdefault(sample.field.name, []).append(sample)
    return by_field


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"email": "a@b.co"}, [("email", "a@b.co")]),
        (
            {"contact": {"email": "a@b.co", "phone": "+1"}},
            [("contact.email", "a@b.co"), ("contact.phone", "+1")],
        ),
        ({"tags": ["x", "y"]}, [("tags[]", "x"), ("tags[]", "y")]),
        (
            {"orders": [{"ship": {"email": "a@b.co"}}, {"ship": {"email": "c@d.co"}}]},
            [("orders[].ship.email", "a@b.co"), ("orders[].ship.email", "c@d.co")],
        ),
        ({"matrix": [[1, 2], [3]]}, [("matrix[][]", 1), ("matrix[][]", 2), ("matrix[][]", 3)]),
        ({"empty": {}, "none": [], "null": None}, [("null", None)]),
    ],
)
def test_flatten_document_paths(document, expected):
    assert list(flatten_document(document)) == expected


@pytest.mark.parametrize(
    ("max_depth", "expected"),
    [
        (1, [("top", "t")]),
        (2, [("top", "t"), ("a.b", "ab")]),
        (3, [("top", "t"), ("a.b", "ab"), ("a.c.d", "acd")]),
    ],
)
def test_flatten_document_depth_limit(max_depth, expected):
    document = {"top": "t", "a": {"b": "ab", "c": {"d": "acd"}}}
    assert list(flatten_document(document, max_depth)) == expected


@pytest.mark.parametrize(
    ("value", "text", "data_type"),
    [
        ("jane@example.com", "jane@example.com", "string"),
        (4155550134, "4155550134", "int"),
        (1.5, "1.5", "double"),
        (Decimal128("12.50"), "12.50", "decimal"),
        (dt.datetime(2026, 11, 27, 10, 30), "2026-11-27T10:30:00", "date"),
        (
            Binary(uuid.UUID("6f1c2a4e-8b1d-4c55-9a7e-0d3f7b1e2c44").bytes, 4),
            "6f1c2a4e-8b1d-4c55-9a7e-0d3f7b1e2c44",
            "uuid",
        ),
        (ObjectId("6b095069ffccee47e9f08584"), None, None),
        (b"\x00\x01raw", None, None),
        (Binary(b"\x00\x01raw", 0), None, None),
        (True, None, None),
        (None, None, "null"),
        ("   ", None, "null"),
    ],
)
def test_leaf_values_become_text_or_are_skipped(mock_client, value, text, data_type):
    mock_client.app.things.insert_one({"value": value})
    conn = connector("mongodb://db.example:27017/app")
    [container] = conn.discover()
    by_field = samples_by_field(conn, container, 10)
    assert "_id" not in by_field  # ObjectId keys are not personal text
    if text is None and data_type is None:
        assert "value" not in by_field  # skipped, and not counted as a null either
    elif text is None:
        [sample] = by_field["value"]
        assert (sample.values, sample.null_count) == ((), 1)
    else:
        [sample] = by_field["value"]
        assert sample.values == (text,)
        assert sample.field.data_type == data_type


def test_discover_lists_collections_of_all_non_system_databases(mock_client):
    mock_client.app.users.insert_one({"email": "a@b.co"})
    mock_client.app.orders.insert_many([{"n": 1}, {"n": 2}, {"n": 3}])
    mock_client.analytics.events.insert_one({"ip": "203.0.113.7"})
    mock_client.admin.settings.insert_one({"x": 1})
    mock_client.local.startup_log.insert_one({"x": 1})
    containers = list(connector().discover())
    assert [c.name for c in containers] == ["analytics.events", "app.orders", "app.users"]
    assert {c.kind for c in containers} == {ContainerKind.COLLECTION}
    orders = next(c for c in containers if c.name == "app.orders")
    assert orders.locator == ("app", "orders")
    assert orders.fingerprint == "count=3"
    assert all(c.source == "mongo" for c in containers)


def test_discover_only_the_database_in_the_url(mock_client):
    mock_client.app.users.insert_one({"email": "a@b.co"})
    mock_client.other.users.insert_one({"email": "a@b.co"})
    assert [c.name for c in connector("mongodb://db.example:27017/app?authSource=admin").discover()] == [
        "app.users"
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"include": ["app.*"]}, ["app.orders", "app.users"]),
        ({"include": ["users"]}, ["app.users", "crm.users"]),
        ({"exclude": ["*.orders"]}, ["app.users", "crm.users"]),
        ({"include": ["app.*"], "exclude": ["orders"]}, ["app.users"]),
        ({"include": "APP.Users"}, ["app.users"]),
    ],
)
def test_discover_include_and_exclude_globs(mock_client, options, expected):
    for database, collection in [("app", "users"), ("app", "orders"), ("crm", "users")]:
        mock_client[database][collection].insert_one({"x": 1})
    assert [c.name for c in connector(**options).discover()] == expected


def test_client_is_created_once_with_fast_server_selection_and_secondary_reads(mock_client):
    mock_client.app.users.insert_one({"email": "a@b.co"})
    conn = connector()
    containers = list(conn.discover())
    list(conn.sample(containers[0], 5))
    assert len(mock_client.seen_options) == 1
    [options] = mock_client.seen_options
    assert options["serverSelectionTimeoutMS"] == 5000
    assert options["readPreference"] == "secondaryPreferred"
    conn.close()
    conn.close()  # safe twice


def test_read_preference_in_url_is_respected(mock_client):
    conn = connector("mongodb://db.example:27017/app?readPreference=primary")
    list(conn.discover())
    assert "readPreference" not in mock_client.seen_options[0]


def test_sample_reads_limit_random_documents_with_nested_fields(mock_client):
    mock_client.app.users.insert_many(
        [
            {
                "name": f"User {i}",
                "contact": {"email": f"user{i}@example.com", "phones": [f"+1 415 555 01{i:02d}"]},
                "orders": [{"total": Decimal128(f"{i}.50")}],
                "optional": None if i % 2 else f"v{i}",
            }
            for i in range(50)
        ]
    )
    conn = connector("mongodb://db.example:27017/app")
    [container] = conn.discover()
    by_field = samples_by_field(conn, container, 20)
    assert set(by_field) == {"name", "contact.email", "contact.phones[]", "orders[].total", "optional"}
    assert all(len(samples) == 1 for samples in by_field.values())  # one read, one sample per field
    emails = by_field["contact.email"][0]
    assert len(emails.values) == 20
    assert len(set(emails.values)) == 20
    assert all(value.endswith("@example.com") for value in emails.values)
    assert emails.field.container == "app.users"
    assert emails.field.source == "mongo"
    optional = by_field["optional"][0]
    assert len(optional.values) + optional.null_count == 20
    assert "_id" not in by_field  # ObjectId keys are not personal text


def test_sample_size_zero_streams_everything_in_batches(mock_client):
    mock_client.app.events.insert_many([{"ip": f"203.0.113.{i}"} for i in range(25)])
    conn = connector("mongodb://db.example:27017/app", batch_size=10)
    [container] = conn.discover()
    samples = samples_by_field(conn, container, 0)["ip"]
    assert [len(s.values) for s in samples] == [10, 10, 5]
    assert sorted(v for s in samples for v in s.values) == sorted(f"203.0.113.{i}" for i in range(25))


def test_values_are_truncated_to_max_value_length(mock_client):
    mock_client.app.notes.insert_one({"text": "x" * 100})
    conn = MongoConnector(SourceSpec("mongo", "mongodb://db.example/app"), ScanSettings(max_value_length=10))
    [container] = conn.discover()
    [sample] = conn.sample(container, 5)
    assert sample.values == ("x" * 10,)


def _refuse_sample_like_a_server(self, pipeline, *args, **kwargs):
    from pymongo.errors import OperationFailure

    if any("$sample" in stage for stage in pipeline):
        raise OperationFailure("Unrecognized pipeline stage name: '$sample'", code=40324)
    raise AssertionError("only $sample is expected")


@pytest.mark.parametrize("store", ["mongomock-without-stage", "server-error-40324"])
def test_falls_back_to_find_when_server_rejects_sample_stage(mock_client, monkeypatch, store):
    if store == "mongomock-without-stage":
        # mongomock without the handler raises NotImplementedError, as it does for any unknown stage.
        monkeypatch.delitem(mongomock.aggregate._PIPELINE_HANDLERS, "$sample")
    else:
        monkeypatch.setattr(mongomock.collection.Collection, "aggregate", _refuse_sample_like_a_server)
    from pymongo.errors import OperationFailure

    with pytest.raises((NotImplementedError, OperationFailure)):
        mock_client.app.users.aggregate([{"$sample": {"size": 1}}])
    mock_client.app.users.insert_many([{"email": f"user{i}@example.com"} for i in range(30)])
    conn = connector("mongodb://db.example/app")
    [container] = conn.discover()
    [sample] = conn.sample(container, 7)
    assert sample.values == tuple(f"user{i}@example.com" for i in range(7))


def test_other_aggregation_errors_are_container_unreadable(mock_client, monkeypatch):
    from pymongo.errors import OperationFailure

    def refuse(*args, **kwargs):
        raise OperationFailure('not authorized on app to execute command { aggregate: "users" }', code=13)

    mock_client.app.users.insert_one({"email": "a@b.co"})
    conn = connector("mongodb://db.example/app")
    [container] = conn.discover()
    monkeypatch.setattr(mongomock.collection.Collection, "aggregate", refuse)
    with pytest.raises(ContainerUnreadable, match="^not authorized on app to execute command"):
        list(conn.sample(container, 5))


def test_depth_option_limits_flattening(mock_client):
    mock_client.app.deep.insert_one(
        {"a": {"b": {"c": {"email": "deep@example.com"}}}, "email": "top@example.com"}
    )
    conn = connector("mongodb://db.example/app", max_depth=3)
    [container] = conn.discover()
    assert set(samples_by_field(conn, container, 5)) == {"email"}
    conn = connector("mongodb://db.example/app", max_depth=4)
    [container] = conn.discover()
    assert set(samples_by_field(conn, container, 5)) == {"email", "a.b.c.email"}


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("mongodb://localhost:27017/app", True),
        ("mongodb+srv://user:pw@cluster0.example.net/app", True),
        ("MONGODB://localhost", True),
        ("postgresql://localhost/app", False),
        ("s3://bucket/", False),
    ],
)
def test_accepts(url, accepted):
    assert MongoConnector.accepts(url) is accepted


def test_entry_point_resolves_mongodb_urls():
    assert connector_factory_for("mongodb://localhost:27017/app") is MongoConnector
    assert connector_factory_for("mongodb+srv://cluster0.example.net/app") is MongoConnector


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_fails_fast_with_one_line_and_no_password():
    port = _closed_port()
    url = f"mongodb://admin:s3cret-pass@127.0.0.1:{port}/app"
    conn = connector(url, server_selection_timeout_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(SourceUnavailable) as raised:
        list(conn.discover())
    assert time.monotonic() - started < 5
    message = str(raised.value)
    assert message.startswith(f"cannot reach MongoDB at 127.0.0.1:{port}:")
    assert "\n" not in message
    assert "s3cret-pass" not in message
    assert "Topology Description" not in message
    conn.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mongodb://admin:pw@127.0.0.1:notaport/app", "Port contains non-digit characters"),
        ("mongodb+srv://cluster0.invalid:27017/app", "mongodb+srv:// URIs must not include a port number"),
    ],
)
def test_invalid_url_is_source_unavailable(url, message):
    conn = connector(url)
    with pytest.raises(SourceUnavailable, match=re.escape(message)) as raised:
        list(conn.discover())
    assert "\n" not in str(raised.value)


def test_scan_end_to_end_through_the_cli(mock_client, capsys):
    from piimap.cli import main

    mock_client.shop.customers.insert_many(
        [
            {"contact": {"email": f"customer{i}@example.com"}, "visits": [{"ip": f"198.51.100.{i}"}]}
            for i in range(40)
        ]
    )
    mock_client.shop.products.insert_many([{"sku": f"SKU-{i}", "price": i} for i in range(10)])
    code = main(["scan", "mongodb://db.example:27017/shop", "--format", "json", "--sample-size", "25"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["sources"] == [
        {"name": "mongodb:shop", "url": "mongodb://db.example:27017/shop", "status": "ok", "error": None}
    ]
    if not _classifier_installed("email"):
        pytest.skip("the email classifier is not installed yet")
    emails = [f for f in report["findings"] if f["category"] == "user.contact.email"]
    assert [(f["container"], f["field"], f["sampled"]) for f in emails] == [
        ("shop.customers", "contact.email", 25)
    ]
    assert all("customer" not in example for f in emails for example in f["examples"])


def _classifier_installed(name: str) -> bool:
    from piimap.plugins import CLASSIFIER_GROUP, load_group

    return name in load_group(CLASSIFIER_GROUP)


real_server = pytest.mark.skipif(
    not REAL_MONGODB_URL, reason="set PIIMAP_TEST_MONGODB_URL to test against a real MongoDB server"
)


@real_server
def test_real_server_discover_and_sample():
    import pymongo

    database_name = f"piimap_test_{uuid.uuid4().hex[:10]}"
    admin = pymongo.MongoClient(REAL_MONGODB_URL, serverSelectionTimeoutMS=5000)
    try:
        admin[database_name].users.insert_many(
            [{"contact": {"email": f"user{i}@example.com"}, "tags": ["a", "b"]} for i in range(30)]
        )
        admin[database_name].create_collection("users_view", viewOn="users", pipeline=[])
        parts = urlsplit(REAL_MONGODB_URL)
        conn = connector(urlunsplit((parts.scheme, parts.netloc, f"/{database_name}", parts.query, "")))
        containers = {c.name: c for c in conn.discover()}
        assert set(containers) == {f"{database_name}.users", f"{database_name}.users_view"}
        assert containers[f"{database_name}.users"].fingerprint == "count=30"
        assert containers[f"{database_name}.users_view"].kind is ContainerKind.VIEW
        by_field = samples_by_field(conn, containers[f"{database_name}.users"], 10)
        assert set(by_field) == {"contact.email", "tags[]"}
        assert len(by_field["contact.email"][0].values) == 10
        assert len(by_field["tags[]"][0].values) == 20
        conn.close()
    finally:
        admin.drop_database(database_name)
        admin.close()


def test_listing_databases_without_permission_hints_at_naming_one(mock_client, monkeypatch):
    from pymongo.errors import OperationFailure

    def refuse(*args, **kwargs):
        raise OperationFailure("not authorized on admin to execute command { listDatabases: 1 }", code=13)

    monkeypatch.setattr(mongomock.MongoClient, "list_database_names", refuse)
    with pytest.raises(SourceUnavailable) as raised:
        list(connector("mongodb://db.example:27017/").discover())
    assert str(raised.value) == (
        "not authorized on admin to execute command { listDatabases: 1 } (name the database in the URL path)"
    )
