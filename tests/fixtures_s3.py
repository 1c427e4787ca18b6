"""Pytest fixtures for S3 tests, loaded with ``pytest_plugins = ["fixtures_s3"]``.

- ``moto_server`` (session): moto's standalone server on a free 127.0.0.1 port.
- ``s3`` (function): fake credentials and ``AWS_ENDPOINT_URL`` set in the environment (boto3
  reads them itself), and an :class:`S3Helper` to make uniquely named buckets and put objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from moto_server import MotoServer


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@dataclass
class S3Helper:
    """Set-up side of a test: a plain boto3 client on the moto server."""

    client: Any
    endpoint_url: str

    def new_bucket(self, prefix: str = "piimap") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        return name

    def put(self, bucket: str, key: str, body: bytes | str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.client.put_object(Bucket=bucket, Key=key, Body=data)


@pytest.fixture
def s3(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch, tmp_path) -> S3Helper:
    import boto3

    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_PROFILE",
        "AWS_RETRY_MODE",
        "AWS_MAX_ATTEMPTS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint_url)
    client = boto3.session.Session().client("s3", endpoint_url=moto_server.endpoint_url)
    yield S3Helper(client, moto_server.endpoint_url)
    client.close()
