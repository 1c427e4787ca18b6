"""Hostile input for the helpers that keep secrets and personal data out of output (hypothesis):
``redact_url`` / ``redact_text`` (passwords of any characters, in URLs or free text, in bounded
time) and ``mask`` / ``example_for`` (never the raw value, any category, any input)."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from piimap.evidence import EvidencePolicy, example_for, hmac_example
from piimap.masking import mask
from piimap.redact import redact_text, redact_url, url_secrets

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
SCHEMES = ("postgresql", "postgresql+psycopg", "mysql+pymysql", "mongodb", "mongodb+srv", "redis", "https")
USERS = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), max_codepoint=127),
    min_size=1,
    max_size=12,
)
PASSWORDS = st.text(min_size=6, max_size=30).filter(lambda text: text.strip() == text)
CATEGORIES = (
    "user.contact.email",
    "user.contact.phone_number",
    "user.device.ip_address",
    "user.name",
    "user.device.device_id",
    "user.device.cookie_id",
    "user.custom.thing",
)


@FUZZ
@given(
    scheme=st.sampled_from(SCHEMES),
    user=USERS,
    password=PASSWORDS,
    port=st.integers(1, 65535),
    path=st.sampled_from(("/shop", "/", "", "/db?sslmode=require")),
)
def test_redact_url_hides_any_password(scheme: str, user: str, password: str, port: int, path: str) -> None:
    encoded = quote(password, safe="")
    url = f"{scheme}://{user}:{encoded}@db.internal:{port}{path}"
    assume(encoded not in f"{scheme}://{user}@db.internal:{port}{path}")
    redacted = redact_url(url)
    assert encoded not in redacted
    assert f"{user}:***@db.internal" in redacted
    # the same URL quoted inside an error message, and the raw password on its own
    message = f"could not connect to {url}: password {password!r} rejected ({encoded})"
    cleaned = redact_text(message, url_secrets(url))
    assert encoded not in cleaned and password not in cleaned


@FUZZ
@given(
    scheme=st.sampled_from(("postgresql", "postgresql+psycopg", "mysql+pymysql", "redis")),
    user=USERS,
    password=st.text(
        alphabet=st.characters(blacklist_characters="@", blacklist_categories=("Cs",)),
        min_size=6,
        max_size=30,
    ).filter(lambda text: text.strip() == text and any(char in text for char in "/#?:%")),
    path=st.sampled_from(("/shop", "/", "", "/db?sslmode=require")),
)
def test_a_password_written_raw_is_hidden_as_sqlalchemy_reads_it(
    scheme: str, user: str, password: str, path: str
) -> None:
    """``${DB_PASSWORD}`` expanded as it is: ``/``, ``#``, ``?``, ``:`` and ``%`` stay raw in the URL."""
    url = f"{scheme}://{user}:{password}@db.internal:5432{path}"
    assert sa.make_url(url).host == "db.internal"  # SQLAlchemy connects with this password and host
    redacted = redact_url(url)
    assert redacted == f"{scheme}://{user}:***@db.internal:5432{path}"
    message = f"could not connect to {url}: password {sa.make_url(url).password!r} rejected"
    cleaned = redact_text(message, url_secrets(url))
    assert password not in cleaned and str(sa.make_url(url).password) not in cleaned


@FUZZ
@given(text=st.text(max_size=500))
def test_redact_text_never_fails_and_is_idempotent(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once
    redact_url(text)


@FUZZ
@given(
    key=st.sampled_from(("password", "PASSWORD", "pwd", "secret", "token", "aws_secret_access_key")),
    value=st.text(
        alphabet=st.characters(blacklist_characters="&; \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"),
        min_size=3,
        max_size=30,
    ),
    before=st.text(max_size=30),
)
def test_key_value_secrets_are_hidden(key: str, value: str, before: str) -> None:
    assume(value.strip() == value and not any(char.isspace() for char in value))
    text = f"{before} {key}={value}&next=1"
    assume(value not in f"{before} {key}=")
    assert value not in redact_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "a://" * 25_000,
        "a://b:" * 16_000,
        "password=" * 11_000,
        "a://" + "b" * 100_000 + ":",
        "a://x:" + " " * 100_000,
        "x://u:" + "p" * 100_000,
        "1" * 100_000 + "://",
        ("a." * 50_000) + "://",
    ],
)
def test_redaction_takes_bounded_time_on_100kb_inputs(text: str) -> None:
    started = time.perf_counter()
    redact_text(text)
    redact_url(text)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed


@FUZZ
@given(category=st.sampled_from(CATEGORIES), value=st.text(min_size=1, max_size=300))
def test_mask_never_returns_a_long_raw_value(category: str, value: str) -> None:
    masked = mask(category, value)
    assert len(masked) <= 64
    stripped = value.strip()
    if len(stripped) >= 10 and "*" not in stripped:
        assert stripped not in masked


@FUZZ
@given(category=st.sampled_from(CATEGORIES), value=st.text(min_size=1, max_size=300))
def test_every_evidence_mode_keeps_no_raw_value(category: str, value: str) -> None:
    keyed = EvidencePolicy.with_key(b"0123456789abcdef-key")
    assert example_for(EvidencePolicy("none"), category, value) is None
    hashed = example_for(keyed, category, value)
    assert hashed == hmac_example(b"0123456789abcdef-key", value)
    assert hashed is not None and len(hashed) == len("hmac-sha256:") + 64
    stripped = value.strip()
    if len(stripped) >= 10 and "*" not in stripped:
        assert stripped not in (example_for(EvidencePolicy(), category, value) or "")
