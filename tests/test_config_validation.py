"""The CI gate cannot be opened by a typo (#12, items 13 and 14).

Every value of ``piimap.yaml`` is checked for its range, not only its type, by the pydantic models of
:mod:`piimap.schema`; the command-line options that mirror settings share those rules; connector
and classifier options are checked against the plugin's own model; category keys in the data map,
the policy and ``field_rules`` must exist (Fides taxonomy, installed classifiers, custom
categories). Mistakes are ``file:line: dotted.key: message`` lines with a did-you-mean, exit 2,
before anything is scanned.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from piimap.categories import category_vocabulary, classifier_categories, taxonomy_categories
from piimap.cli import main
from piimap.config import load_config
from piimap.declarations import load_datamap, load_policy, parse_datamap
from piimap.model import ConfigError
from piimap.schema.base import ConfigProblems

CONFIGURATION_REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
DEMO_ASSETS = Path(__file__).resolve().parent.parent / "scanner" / "demo_assets"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


# --------------------------------------------------------------------------- item 13: the gate itself


@pytest.mark.slow
def test_check_refuses_min_confidence_2_on_a_database_full_of_pii(shop_db, tmp_path, capsys) -> None:
    """``min_confidence: 2`` used to turn every finding off, so ``check`` passed (exit 0) on a
    database full of names, e-mails and phone numbers. Now it is a config error, before scanning."""
    write(tmp_path / "policy.yaml", "collected: [user.device]\n")
    config = write(
        tmp_path / "piimap.yaml",
        f"""
        sources:
          shop: {shop_db}
        settings:
          sample_size: 200
          min_confidence: 2
        policy: policy.yaml
        reports:
          - {{format: json, path: report.json}}
        """,
    )
    arguments = ["check", "--config", str(config), "--quiet", "--no-store"]
    assert main(arguments) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"piimap: error: {config}:5: settings.min_confidence: must be 1 or less, not 2"]
    assert not (tmp_path / "report.json").exists()  # refused before anything was scanned

    # The same database with a threshold that means something fails the check: it is full of PII.
    config.write_text(config.read_text().replace("min_confidence: 2", "min_confidence: 0.8"))
    assert main(arguments) == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert {"user.contact.email", "user.contact.phone_number"} <= {
        item["category"] for item in report["findings"]
    }


BAD_SETTINGS = [
    ("min_confidence: 2", "settings.min_confidence: must be 1 or less, not 2"),
    ("min_confidence: -0.1", "settings.min_confidence: must be 0 or more, not -0.1"),
    ("min_confidence: .nan", "settings.min_confidence: must be"),
    ("sample_size: -5", "settings.sample_size: must be 0 or more, not -5"),
    ("max_examples: -1", "settings.max_examples: must be 0 or more, not -1"),
    ("workers: 0", "settings.workers: must be 1 or more, not 0"),
    ("max_connections_per_source: 0", "settings.max_connections_per_source: must be 1 or more, not 0"),
    ("max_value_length: 0", "settings.max_value_length: must be 1 or more, not 0"),
    ("statement_timeout_seconds: 0", "settings.statement_timeout_seconds: must be more than 0, not 0"),
    ("workers: 2.5", "settings.workers: must be a whole number, not 2.5"),
    ("sample_size: true", "settings.sample_size: must be a whole number, not true"),
    ("exhaustive: 'yes'", "settings.exhaustive: must be true or false, not 'yes'"),
    ("default_region: XX", "settings.default_region: unknown region 'XX'"),
    ("default_region: UK", "(the United Kingdom is GB)"),
    ("evidence: plain", "settings.evidence: must be 'masked', 'hmac' or 'none', not 'plain'"),
    ("hmac_key_env: 'MY KEY'", "settings.hmac_key_env: does not have the expected form"),
    ("spacy_model: ''", "settings.spacy_model: must not be empty"),
    ("min_confidance: 0.9", "settings.min_confidance: unknown key (did you mean 'min_confidence'?)"),
]


@pytest.mark.parametrize(("setting", "expected"), BAD_SETTINGS)
def test_every_setting_is_checked_for_its_range(tmp_path, setting, expected) -> None:
    config = write(tmp_path / "piimap.yaml", f"sources:\n  logs: {tmp_path}\nsettings:\n  {setting}\n")
    message = config_error(config)
    assert message.startswith(f"{config}:4: "), message
    assert expected in message, message


def test_every_mistake_is_reported_at_once_one_line_each_in_file_order(tmp_path, capsys) -> None:
    config = write(
        tmp_path / "piimap.yaml",
        f"""
        sources:
          logs: {tmp_path}
        settings:
          workers: 0
          sample_size: -5
        setings: {{}}
        """,
    )
    assert main(["scan", "--config", str(config), "--quiet", "--no-store"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        f"piimap: error: {config}:4: settings.workers: must be 1 or more, not 0",
        f"piimap: error: {config}:5: settings.sample_size: must be 0 or more, not -5",
        f"piimap: error: {config}:6: setings: unknown key (did you mean 'settings'?)",
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--min-confidence", "2", "must be 1 or less, not 2"),
        ("--sample-size", "-5", "must be 0 or more, not -5"),
        ("--workers", "0", "must be 1 or more, not 0"),
        ("--workers", "many", "must be a whole number, not 'many'"),
        ("--region", "XX", "unknown region 'XX'"),
    ],
)
def test_command_line_settings_share_the_config_rules(tmp_path, capsys, option, value, message) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["scan", str(tmp_path), option, value, "--quiet", "--no-store"])
    assert exited.value.code == 2
    assert f"argument {option}: {message}" in capsys.readouterr().err


def test_command_line_settings_are_normalised_like_the_config(tmp_path) -> None:
    from piimap.cli import build_parser
    from piimap.commands.common import config_from_args

    args = build_parser().parse_args(["scan", str(tmp_path), "--region", "gb", "--min-confidence", "1"])
    settings = config_from_args(args).settings
    assert settings.default_region == "GB" and settings.min_confidence == 1.0


BAD_SOURCES = [
    (
        "url: s3://bucket/x/\n    objects_per_group: -1",
        "sources.events.objects_per_group: must be 0 or more, not -1",
    ),
    ("url: s3://bucket/x/\n    endpoint_url: 5", "sources.events.endpoint_url: must be text, not 5"),
    (
        "url: s3://bucket/x/\n    list_page_size: 5000",
        "sources.events.list_page_size: must be 1000 or less, not 5000",
    ),
    (
        "url: s3://bucket/x/\n    addressing_style: host",
        "sources.events.addressing_style: must be 'path', 'virtual'",
    ),
    (
        "url: sqlite:///app.db\n    max_connections: 0",
        "sources.events.max_connections: must be 1 or more, not 0",
    ),
    ("url: sqlite:///app.db\n    views: 'yes'", "sources.events.views: must be true or false, not 'yes'"),
    (
        "url: sqlite:///app.db\n    includ: [a]",
        "sources.events.includ: unknown key (did you mean 'include'?)",
    ),
    ("url: sqlite:///app.db\n    exclude: [3]", "sources.events.exclude[0]: must be text, not 3"),
    ("url: mongodb://127.0.0.1/db\n    max_depth: 0", "sources.events.max_depth: must be 1 or more, not 0"),
    ("url: logs/\n    format: jsonlines", "sources.events.format: unknown format 'jsonlines'"),
    ("url: logs/\n    files_per_group: -2", "sources.events.files_per_group: must be 0 or more, not -2"),
    ("url: ''", "sources.events.url: must not be empty"),
]


@pytest.mark.parametrize(("source", "expected"), BAD_SOURCES)
def test_connector_options_are_checked_by_the_connector_model(tmp_path, source, expected) -> None:
    config = write(tmp_path / "piimap.yaml", f"sources:\n  events:\n    {source}\n")
    message = config_error(config)
    assert re.match(rf"{re.escape(str(config))}:[34]: ", message), message
    assert expected in message, message


def test_a_list_of_sources_is_located_by_entry(tmp_path) -> None:
    config = write(
        tmp_path / "piimap.yaml",
        """
        sources:
          - name: app
            url: sqlite:///app.db
          - name: events
            url: s3://bucket/x/
            objects_per_group: -1
        """,
    )
    assert f"{config}:6: sources[1].objects_per_group: must be 0 or more" in config_error(config)


def test_include_given_as_one_glob_reaches_connectors_as_a_list(tmp_path) -> None:
    config = write(tmp_path / "piimap.yaml", "sources:\n  logs:\n    url: logs/\n    include: '*.log'\n")
    (spec,) = load_config(config).sources
    assert spec.options == {"include": ["*.log"]}


BAD_CLASSIFIERS = [
    (
        "classifiers:\n  enabled: [emial]",
        "classifiers.enabled[0]: unknown classifier 'emial' (did you mean 'email'?",
    ),
    ("classifiers:\n  disabled: [person]", "classifiers.disabled[0]: unknown classifier 'person'"),
    ("classifiers:\n  phone: {default_region: XX}", "classifiers.phone.default_region: unknown region 'XX'"),
    (
        "classifiers:\n  phone: {region: GB}",
        "classifiers.phone.region: unknown key (did you mean 'default_region'?)",
    ),
    ("classifiers:\n  phone: GB", "classifiers.phone: must be a mapping, not 'GB'"),
    (
        "classifiers:\n  person_name: {use_spacy: 'no'}",
        "classifiers.person_name.use_spacy: must be true or false",
    ),
    ("classifiers:\n  email: {strict: true}", "classifiers.email.strict: unknown key"),
    (
        "classifiers:\n  phnoe: {default_region: GB}",
        "classifiers.phnoe: unknown classifier 'phnoe' (did you mean 'phone'?",
    ),
    (
        "field_rules:\n  - {pattern: '*.ph', category: user.contact.phone, confidence: 0.9}",
        "field_rules[0].category: unknown category 'user.contact.phone' (did you mean 'user.contact.phone_number'?",
    ),
    (
        "field_rules:\n  - {pattern: '*.ph', category: user.name, confidence: 3}",
        "field_rules[0].confidence: must be 1 or less",
    ),
    (
        "field_rules:\n  - {pattern: '*.ph', category: user.name, evidence: maybe}",
        "field_rules[0].evidence: must be",
    ),
    (
        "field_rules:\n  - {category: user.name}",
        "field_rules[0]: needs exactly one of 'pattern' (a glob) or 'regex'",
    ),
    (
        "custom_categories:\n  - {category: x.y, pattern: '[0-9'}",
        "custom_categories[0].pattern: is not a valid regular",
    ),
    (
        "custom_categories:\n  - {category: X.Y, pattern: 'x'}",
        "custom_categories[0].category: 'X.Y' is not a category key",
    ),
    (
        "custom_categories:\n  - {category: x.y, pattern: 'x', validator: crc}",
        "custom_categories[0].validator: must be one of",
    ),
    ("allow:\n  values: support@example.com", "allow.values: must be a list"),
    ("reports:\n  - {format: pfd, path: out.pdf}", "reports[0].format: unknown report format 'pfd'"),
    ("executor: {name: spark}", "executor.name: must be 'local' or 'dask', not 'spark'"),
    ("executor: {name: dask, connect_timeout: -1}", "executor.connect_timeout: must be more than 0, not -1"),
    ("datamap: 5", "datamap: must be text, not 5"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_CLASSIFIERS)
def test_classifier_tuning_and_other_keys_are_checked(tmp_path, text, expected) -> None:
    config = write(tmp_path / "piimap.yaml", f"sources:\n  logs: {tmp_path}\n{text}\n")
    message = config_error(config)
    assert re.match(rf"{re.escape(str(config))}:\d+: ", message), message
    assert expected in message, message


def test_env_expansion_is_kept_and_checked_after_expansion(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PIIMAP_TEST_REGION", "XX")
    config = write(
        tmp_path / "piimap.yaml",
        f"sources:\n  logs: {tmp_path}\nsettings:\n  default_region: ${{PIIMAP_TEST_REGION}}\n",
    )
    assert f"{config}:4: settings.default_region: unknown region 'XX'" in config_error(config)
    monkeypatch.setenv("PIIMAP_TEST_REGION", "de")
    assert load_config(config).settings.default_region == "DE"


# --------------------------------------------------------------------------- item 14: category keys


def test_fides_taxonomy_and_classifier_categories_are_the_vocabulary() -> None:
    taxonomy = taxonomy_categories()
    assert {"user.contact.email", "user.device.cookie_id", "user.contact.address.postal_code"} <= taxonomy
    assert "user.contact.emial" not in taxonomy
    assert classifier_categories() >= {"user.name", "user.contact.email", "user.device.device_id"}
    assert "acme.ticket" in category_vocabulary(["acme.ticket"])


def _one_edit_typo(rng, key: str) -> str:
    import string

    start = key.rfind(".") + 1 if rng.random() < 0.8 else 0  # mostly in the last part
    index = rng.randrange(start, len(key))
    kind = rng.choice(("drop", "swap", "substitute", "double"))
    if kind == "drop":
        return key[:index] + key[index + 1 :]
    if kind == "swap" and index + 1 < len(key):
        return key[:index] + key[index + 1] + key[index] + key[index + 2 :]
    if kind == "substitute":
        return key[:index] + rng.choice(string.ascii_lowercase) + key[index + 1 :]
    return key[:index] + key[index] + key[index:]


def test_did_you_mean_finds_the_intended_key_for_random_typos_and_moved_leaves() -> None:
    """Held-out typos (a seed not used while tuning): one edit of every valid key, 10 per key."""
    import random

    vocabulary = category_vocabulary()
    rng = random.Random(2026)
    typos = [
        (typo, key)
        for key in sorted(vocabulary.keys)
        for typo in (_one_edit_typo(rng, key) for _ in range(10))
    ]
    typos = [(typo, key) for typo, key in typos if typo not in vocabulary]
    assert len(typos) > 500
    assert all(vocabulary.problem(typo) for typo, _ in typos)  # a typo is never accepted
    right = sum(vocabulary.suggestion(typo) == key for typo, key in typos)
    assert right / len(typos) >= 0.97, right / len(typos)  # measured 0.995-0.998 on other seeds
    moved = {
        "user.email": "user.contact.email",
        "user.phone_number": "user.contact.phone_number",
        "user.ip_address": "user.device.ip_address",
        "user.contact.ip_address": "user.device.ip_address",
        "user.device.email": "user.contact.email",
        "user.cookie_id": "user.device.cookie_id",
        "user.device_id": "user.device.device_id",
        "user.credit_card": "user.financial.credit_card",
        "user.date_of_birth": "user.demographic.date_of_birth",
    }
    assert {typo: vocabulary.suggestion(typo) for typo in moved} == moved


def test_a_misspelled_data_map_category_is_a_config_error_with_a_suggestion(tmp_path) -> None:
    path = write(
        tmp_path / "datamap.yaml",
        """
        systems:
          app_db:
            containers:
              main.accounts: [user.name, user.contact.emial]
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_datamap(path)
    assert str(caught.value) == (
        f"{path}:4: systems.app_db.containers['main.accounts'][1]: unknown category 'user.contact.emial' "
        "(did you mean 'user.contact.email'? valid keys are the Fides taxonomy's data categories, the "
        "installed classifiers' categories and the config's custom_categories)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "systems:\n  db: [user.email]\n",
            ":2: systems.db[0]: unknown category 'user.email' (did you mean 'user.contact.email'?",
        ),
        (
            "systems:\n  db: {categories: [user.devices]}\n",
            "systems.db.categories[0]: unknown category 'user.devices' (did you mean 'user.device'?",
        ),
        (
            "systems:\n  db: [user]\nvendors:\n  ga: {role: analytics}\nflows:\n"
            "  - {from: db, to: ga, categories: [user.device.cokie_id]}\n",
            ":6: flows[0].categories[0]: unknown category 'user.device.cokie_id' (did you mean 'user.device.cookie_id'?",
        ),
        (
            "systems:\n  db:\n    containers:\n      t:\n        fields:\n          ph: [user.contact.phone]\n",
            ":6: systems.db.containers.t.fields.ph[0]: unknown category 'user.contact.phone' (did you mean 'user.contact.phone_number'?",
        ),
        (
            "suppressions:\n  - {reason: legacy, category: user.contact.emial}\n",
            ":2: suppressions[0].category: unknown category 'user.contact.emial' (did you mean 'user.contact.email'?",
        ),
        ("systems:\n  db: [user.contact.*]\n", "'user.contact.*' is not a category key"),
    ],
)
def test_data_map_category_keys_must_exist(tmp_path, text, expected) -> None:
    path = tmp_path / "datamap.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_datamap(path)
    assert expected in str(caught.value), str(caught.value)


def test_a_suppression_category_glob_is_not_a_key(tmp_path) -> None:
    datamap = parse_datamap({"suppressions": [{"reason": "legacy", "category": "user.contact.*"}]})
    assert datamap.suppressions[0].category == "user.contact.*"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "collected: [user.name, user.contact.emial]\n",
            ":1: collected[1]: unknown category 'user.contact.emial' (did you mean 'user.contact.email'?",
        ),
        (
            "collected: [user.device]\nshared:\n  analytics: [user.device.ip_adress]\n",
            ":3: shared.analytics[0]: unknown category 'user.device.ip_adress' (did you mean 'user.device.ip_address'?",
        ),
    ],
)
def test_policy_category_keys_must_exist(tmp_path, text, expected) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert expected in str(caught.value), str(caught.value)


def _company(tmp_path: Path, datamap: str, extra: str = "") -> Path:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "app.log").write_text("signup ok for jane.doe@example.org\n" * 20, encoding="utf-8")
    write(tmp_path / "datamap.yaml", datamap)
    return write(tmp_path / "piimap.yaml", f"sources:\n  web_logs: {logs}\ndatamap: datamap.yaml\n{extra}")


def test_check_exits_2_on_a_misspelled_data_map_category_before_scanning(tmp_path, capsys) -> None:
    config = _company(
        tmp_path, "systems:\n  web_logs: [user.contact.emial]\n", "reports: [{format: json, path: r.json}]\n"
    )
    assert main(["check", "--config", str(config), "--quiet", "--no-store"]) == 2
    err = capsys.readouterr().err
    assert (
        "datamap.yaml:2: systems.web_logs[0]: unknown category 'user.contact.emial' (did you mean 'user.contact.email'?"
        in err
    )
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r.json").exists()


def test_the_configs_custom_categories_are_valid_in_the_data_map(tmp_path, capsys) -> None:
    config = _company(
        tmp_path,
        "systems:\n  web_logs: [user.contact.email, acme.ticket_id]\n",
        "custom_categories:\n  - {category: acme.ticket_id, pattern: 'T-[0-9]{6}'}\n"
        "field_rules:\n  - {pattern: '*.ticket', category: acme.ticket_id}\n",
    )
    assert main(["check", "--config", str(config), "--quiet", "--no-store", "--format", "json"]) == 0
    # without the config, the same key is unknown
    with pytest.raises(ConfigError, match="unknown category 'acme.ticket_id'"):
        load_datamap(tmp_path / "datamap.yaml")


# --------------------------------------------------------------------------- every valid file stays valid


def test_the_demo_data_map_and_policy_are_valid() -> None:
    datamap = load_datamap(DEMO_ASSETS / "datamap.yaml")
    policy = load_policy(DEMO_ASSETS / "privacy-policy.txt")  # the demo checks against the policy text
    assert len(datamap.systems) == 4 and "user.behavior.browsing_history" in policy.collected
    reference = load_policy(Path(__file__).parent / "policytext" / "handwritten_demo_policy.yaml")
    assert "user.behavior.browsing_history" in reference.collected


def _reference_blocks(section: str) -> list[str]:
    text = CONFIGURATION_REFERENCE.read_text(encoding="utf-8")
    start = text.index(section)
    end = text.index("\n---\n", start)
    return re.findall(r"```yaml\n(.*?)```", text[start:end], re.S)


def test_the_configuration_reference_examples_are_valid(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WAREHOUSE_PASSWORD", "not-a-real-password")
    config_blocks = _reference_blocks("## 1. `piimap.yaml`")
    assert len(config_blocks) >= 5
    sources = "sources:\n  app_db: sqlite:///app.db\n  web_logs: logs/\n"
    for index, block in enumerate(config_blocks):
        text = block if block.startswith("sources:") else sources + block
        config = load_config(write(tmp_path / f"piimap-{index}.yaml", text))
        assert config.sources
    (datamap_block,) = _reference_blocks("## 2. The data map")
    load_datamap(write(tmp_path / "datamap.yaml", datamap_block))
    (policy_block,) = _reference_blocks("## 3. The policy")
    load_policy(write(tmp_path / "policy.yaml", policy_block))


def test_config_problems_keep_being_config_errors() -> None:
    problems = ConfigProblems(["a:1: x: one", "a:2: y: two"])
    assert isinstance(problems, ConfigError) and problems.problems == ("a:1: x: one", "a:2: y: two")
    many = ConfigProblems([f"a:{line}: k: m" for line in range(30)])
    assert len(many.problems) == 21 and many.problems[-1] == "... and 10 more problems"


def test_the_configuration_reference_documents_every_key_the_models_declare() -> None:
    """The models are the schema; the configuration reference (docs/configuration.md) must name every key."""
    from piimap.classifiers.options import TuningModel
    from piimap.classifiers.person_name import PersonNameClassifier
    from piimap.classifiers.phone import PhoneClassifier
    from piimap.connectors.files import FileConnector
    from piimap.connectors.mongo import MongoConnector
    from piimap.connectors.s3 import S3Connector
    from piimap.connectors.sql import SqlConnector
    from piimap.schema import config, datamap, policy

    reference = CONFIGURATION_REFERENCE.read_text(encoding="utf-8")
    models = [
        config.ConfigFile,
        config.SettingsModel,
        config.ClassifiersModel,
        config.ReportModel,
        config.ScheduleModel,
        config.ExecutorModel,
        datamap.DataMapFile,
        datamap.SystemModel,
        datamap.ContainerModel,
        datamap.VendorModel,
        datamap.FlowModel,
        datamap.SuppressionModel,
        policy.PolicyFile,
        *(plugin.options_model for plugin in (SqlConnector, FileConnector, S3Connector, MongoConnector)),
        *(plugin.options_model for plugin in (PhoneClassifier, PersonNameClassifier)),
        *TuningModel.model_fields["field_rules"].annotation.__args__[:1],
    ]
    missing = [
        f"{model.__name__}.{info.alias or name}"
        for model in models
        for name, info in model.model_fields.items()
        if f"`{info.alias or name}`" not in reference and f"{info.alias or name}:" not in reference
    ]
    assert not missing, missing
