"""Data-map and policy files: shapes, coverage of sub-categories, and file:line validation errors."""

from __future__ import annotations

import textwrap
from importlib import resources
from pathlib import Path

import pytest

from piimap.declarations import (
    ALL,
    covers,
    load_datamap,
    load_policy,
)
from piimap.model import ConfigError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("declared", "category", "expected"),
    [
        ("user.device", "user.device.ip_address", True),
        ("user.device.ip_address", "user.device.ip_address", True),
        ("user", "user.contact.email", True),
        ("user.device", "user.devices", False),
        ("user.device.ip_address", "user.device", False),
        ("user.contact.email", "user.contact.phone_number", False),
    ],
)
def test_a_category_covers_itself_and_its_sub_categories(declared, category, expected):
    assert covers(declared, category) is expected


MINIMAL_MAP = """
organisation: Example Ltd
systems:
  app_db:
    categories: [user.contact.email]
    containers:
      "main.accounts": [user.name]
      "main.events":
        categories: [user.device.ip_address]
        fields:
          "ga_*": [user.device.cookie_id]
  logs: [user.device]
vendors:
  ga:
    name: Google Analytics
    role: analytics
    purpose: statistics
flows:
  - from: logs
    to: ga
    categories: all
    containers: ["*.log"]
  - from: app_db
    to: ga
    categories: user.device.ip_address
suppressions:
  - rule: undeclared-category
    source: logs
    category: user.contact
    reason: accepted until the log scrubber ships
"""


def test_a_data_map_loads_systems_containers_vendors_flows_and_suppressions(tmp_path):
    datamap = load_datamap(write(tmp_path, "datamap.yaml", MINIMAL_MAP))
    assert datamap.organisation == "Example Ltd"
    app_db = datamap.system("app_db")
    assert app_db.declares("main.accounts", "first_name", "user.name")
    assert not app_db.declares("main.other", "first_name", "user.name")
    assert app_db.declares("main.other", "x", "user.contact.email")  # system-wide
    assert app_db.declares("main.events", "anything", "user.device.ip_address")
    assert app_db.declares("main.events", "ga_client_id", "user.device.cookie_id")
    assert not app_db.declares("main.events", "client_id", "user.device.cookie_id")
    assert datamap.system("logs").declares("/var/log/a.log", None, "user.device.cookie_id")
    assert datamap.vendor("ga").role == "analytics"
    all_flow, ip_flow = datamap.flows
    assert all_flow.categories is None and all_flow.containers == ("*.log",)
    assert ip_flow.categories == ("user.device.ip_address",)
    assert datamap.suppressions[0].reason == "accepted until the log scrubber ships"
    assert app_db.line == 3


def test_the_shipped_demo_declarations_load():
    assets = resources.files("piimap") / "demo_assets"
    with resources.as_file(assets / "datamap.yaml") as path:
        datamap = load_datamap(path)
    with resources.as_file(assets / "privacy-policy.txt") as path:  # the policy text itself
        policy = load_policy(path)
    assert {system.name for system in datamap.systems} == {
        "app_db",
        "web_logs",
        "click_events",
        "marketing_site",
    }
    assert not datamap.system("web_logs").declares("access.log", None, "user.contact.phone_number")
    assert policy.collects("user.contact.phone_number")
    assert policy.discloses("service_provider", "user.contact.phone_number")
    assert not policy.discloses("analytics", "user.contact.email")
    assert not policy.discloses("advertising", "user.device.ip_address")


def test_a_policy_expands_collected_and_covers_sub_categories(tmp_path):
    policy = load_policy(
        write(
            tmp_path,
            "policy.yaml",
            """
            name: Example policy
            collected: [user.contact, user.device.ip_address]
            shared:
              service_provider: collected
              analytics: [user.device.ip_address]
              advertising: []
            """,
        )
    )
    assert policy.collects("user.contact.email") and not policy.collects("user.name")
    assert policy.discloses("service_provider", "user.contact.phone_number")
    assert policy.discloses("analytics", "user.device.ip_address")
    assert not policy.discloses("analytics", "user.contact.email")
    assert not policy.discloses("advertising", "user.device.ip_address")
    assert not policy.discloses("legal", "user.device.ip_address")  # role not listed: nothing shared
    assert policy.collected_line == 2


DATAMAP_ERRORS = [
    ("systems:\n  db: [user.name]\nvendor: {}\n", ":3: vendor: unknown key"),
    (
        "systems:\n  db:\n    categorys: [user.name]\n",
        ":3: systems.db.categorys: unknown key (did you mean 'categories'?)",
    ),
    ("systems:\n  db:\n    categories: 5\n", ":3: systems.db.categories: must be a list, not 5"),
    ("systems:\n  db: [User.Email]\n", ":2: systems.db[0]: 'User.Email' is not a category key"),
    ("systems:\n  db: [all]\n", ":2: systems.db[0]: 'all' is only allowed"),
    ("systems: [db]\n", ":1: systems: must be a mapping"),
    (
        "systems:\n  db: [user.name]\nvendors:\n  ga: {role: analytics}\nflows:\n"
        "  - from: db\n    to: mailer\n    categories: all\n",
        ":7: flows[0].to: unknown vendor 'mailer' (vendors: ga)",
    ),
    (
        "systems:\n  db: [user.name]\nvendors:\n  ga: {role: analytics}\nflows:\n"
        "  - from: crm\n    to: ga\n    categories: all\n",
        ":6: flows[0].from: unknown system 'crm' (systems: db)",
    ),
    (
        "systems:\n  db: [user.name]\nvendors:\n  ga: {role: analytics}\nflows:\n  - from: db\n    to: ga\n",
        ":6: flows[0].categories: is required",
    ),
    ("vendors:\n  ga:\n    name: GA\n", ":2: vendors.ga.role: is required"),
    (
        "vendors:\n  ga:\n    role: Web Analytics\n",
        ":3: vendors.ga.role: role 'Web Analytics' must be a lower-case",
    ),
    (
        "vendors:\n  ga:\n    role: analytics\n    country: US\n",
        ":4: vendors.ga.country: unknown key (known: catalogue, description, hosts, name, purpose, role)",
    ),
    (
        "suppressions:\n  - rule: PIIMAP002\n    reason: ''\n",
        ":3: suppressions[0].reason: every suppression needs a non-empty",
    ),
    ("suppressions:\n  - rule: PIIMAP002\n", ":2: suppressions[0].reason: is required"),
    ("suppressions:\n  - reason: because\n", ":2: suppressions[0]: a suppression needs at least one of rule"),
    (
        "suppressions:\n  - reason: because\n    source: 3\n",
        ":3: suppressions[0].source: must be text, not 3",
    ),
    (
        "systems:\n  db:\n    containers:\n      t:\n        fields: [a]\n",
        ":5: systems.db.containers.t.fields: must be a mapping, not a list",
    ),
]


@pytest.mark.parametrize(("text", "expected"), DATAMAP_ERRORS)
def test_data_map_mistakes_are_config_errors_with_file_line_and_key(tmp_path, text, expected):
    path = tmp_path / "datamap.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_datamap(path)
    message = str(caught.value)
    assert message.startswith(str(path) + ":"), message
    assert expected in message, message


POLICY_ERRORS = [
    ("shared: {}\n", "collected: is required"),
    ("collected: [user.name]\nshared: [x]\n", ":2: shared: must be a mapping"),
    (
        "collected: [user.name]\nshared:\n  Analytics Partners: collected\n",
        ":3: shared['Analytics Partners']: role 'Analytics Partners' must be a lower-case",
    ),
    (
        "collected: [user.name]\nshared:\n  analytics: everything\n",
        ":3: shared.analytics: must be a list of category keys or 'collected', not 'everything'",
    ),
    ("collected: [user.name]\nsold: []\n", ":2: sold: unknown key"),
    (
        "collected: [user.name]\nshared:\n  analytics: [user.device, 7]\n",
        ":3: shared.analytics[1]: must be text, not 7",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POLICY_ERRORS)
def test_policy_mistakes_are_config_errors_with_file_line_and_key(tmp_path, text, expected):
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_datamap(tmp_path / "nope.yaml")


def test_all_is_the_spelling_of_everything():
    assert ALL == "all"
