"""Phone regions: a list on the command line and in the config, and what a container's other fields say.

The engine reads a container's first samples for hints before classifying them
(:func:`piimap.engine.with_container_hints`); the phone classifier takes the regions a ``country``
column names and the regions of international numbers in sibling columns from them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from piimap.classifiers.phone import PhoneClassifier, country_regions
from piimap.cli import main
from piimap.config import load_config
from piimap.engine import build_classifiers, classify_samples, with_container_hints
from piimap.model import ConfigError, ContainerHints, FieldRef, FieldSample
from piimap.schema.base import parse_regions
from piimap.settings import ScanSettings

#: national numbers as an old customer table holds them, valid in their countries but written in
#: groups their countries no longer use, so only their region tells they are phones
OLD_NATIONAL = {
    "Spain": ("(91) 555 22 82", "(93) 203 4560", "(91) 745 6200", "(98) 598 76 54"),
    "Germany": ("0621-08460", "0555-09876", "089-0877310", "0241-039123"),
    "Italy": ("0452-076545", "011-4988260", "035-640230", "0522-556721"),
}


def samples(values: list[str], countries: list[str] | None, container: str = "public.customers") -> list:
    found = [FieldSample(FieldRef("db", container, "c1"), tuple(values))]
    if countries is not None:
        found.append(FieldSample(FieldRef("db", container, "country"), tuple(countries)))
    return found


def phone_confidence(batch: list[FieldSample], settings: ScanSettings | None = None) -> float:
    settings = settings or ScanSettings(min_confidence=0.0)
    findings, _ = classify_samples(batch, build_classifiers(settings), settings)
    return max(
        (f.confidence for f in findings if f.field == "c1" and f.category == "user.contact.phone_number"),
        default=0.0,
    )


def old_customer_table() -> tuple[list[str], list[str]]:
    phones, countries = [], []
    for round_ in range(5):
        for country, numbers in OLD_NATIONAL.items():
            phones.append(numbers[round_ % len(numbers)])
            countries.append(country)
    return phones, countries


def test_a_country_column_lets_national_numbers_validate() -> None:
    phones, countries = old_customer_table()
    alone = phone_confidence(samples(phones, None))
    beside = phone_confidence(samples(phones, countries))
    assert beside > alone  # the country column names Spain, Germany and Italy
    modern = {"Germany": "030 901820", "Sweden": "08-123 456 78", "Venezuela": "0212-5551234"}
    phones = [modern[country] for country in modern] * 8
    countries = list(modern) * 8
    assert phone_confidence(samples(phones, countries)) >= 0.85 > phone_confidence(samples(phones, None))


def test_country_codes_and_names_in_other_languages_count() -> None:
    assert set(country_regions(["ES", "DE", "IT", "ES"], codes=True)) == {"ES", "DE", "IT"}
    assert set(country_regions(["Espagne", "Allemagne", "Italia", "España"], codes=False)) == {
        "ES",
        "DE",
        "IT",
    }
    assert set(country_regions(["USA", "UK", "Deutschland"], codes=False)) == {"US", "GB", "DE"}
    assert country_regions(["Springfield", "Paris", "Berlin", "Rome"], codes=False) == ()


def test_hints_hold_regions_only_and_reach_every_batch_of_a_full_read() -> None:
    phones, countries = old_customer_table()
    classifiers = build_classifiers(ScanSettings())
    first = samples(phones, countries)
    second = [FieldSample(FieldRef("db", "public.customers", "c1"), tuple(phones))]  # the next batch
    hinted = list(with_container_hints(first + second, classifiers))
    assert [sample.field.name for sample in hinted] == ["c1", "country", "c1"]
    assert all(sample.hints is not None for sample in hinted)
    assert set(hinted[2].hints.regions) >= {"ES", "DE", "IT"}
    assert [value for value in vars(hinted[0].hints).values()] == [hinted[0].hints.regions]
    assert all(len(region) == 2 and region.isupper() for region in hinted[0].hints.regions)


def test_international_numbers_of_a_sibling_column_give_their_regions() -> None:
    international = ["+34 912 345 678", "+49 30 901820", "+39 06 6982"] * 8
    phones, _ = old_customer_table()
    batch = samples(phones, None) + [
        FieldSample(FieldRef("db", "public.customers", "mobile"), tuple(international))
    ]
    assert phone_confidence(batch) > phone_confidence(samples(phones, None))


def test_hints_do_not_outlive_their_container() -> None:
    phones, countries = old_customer_table()
    classifiers = build_classifiers(ScanSettings())
    list(with_container_hints(samples(phones, countries), classifiers))
    other = list(with_container_hints(samples(phones, None, container="public.other"), classifiers))
    assert other[0].hints is None or not {"ES", "DE", "IT"} <= set(other[0].hints.regions)


def test_merged_hints_keep_each_region_once() -> None:
    assert ContainerHints(("DE", "FR")).merged(ContainerHints(("FR", "JP"))).regions == ("DE", "FR", "JP")


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("US", ("US",)),
        ("us,gb", ("US", "GB")),
        ("US GB;JP", ("US", "GB", "JP")),
        (["DE", "fr"], ("DE", "FR")),
    ],
)
def test_region_lists(text, regions) -> None:
    assert parse_regions(text) == regions


@pytest.mark.parametrize("text", ["XX", "US,ZZ", "", 42])
def test_unknown_regions_are_refused(text) -> None:
    with pytest.raises(ValueError):
        parse_regions(text)


def test_command_line_regions_are_a_list_and_the_old_spelling_works(tmp_path, capsys) -> None:
    import argparse

    from piimap.commands.common import add_scan_options, config_from_args

    parser = argparse.ArgumentParser()
    add_scan_options(parser)
    args = parser.parse_args(["x.csv", "--region", "US,GB", "--region", "jp"])
    assert config_from_args(args).settings.default_region == "US,GB,JP"
    args = parser.parse_args(["x.csv", "--region", "GB"])
    assert config_from_args(args).settings.default_region == "GB"
    assert PhoneClassifier(config_from_args(args).settings).regions == ("GB",)


def test_an_unknown_region_on_the_command_line_is_a_usage_error(tmp_path, capsys) -> None:
    data = tmp_path / "a.csv"
    data.write_text("phone\n+44 20 7946 0958\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["scan", str(data), "--region", "US,XX", "--no-store", "-q"])
    assert stopped.value.code == 2
    assert "unknown region 'XX'" in capsys.readouterr().err


def test_config_regions_as_a_list_a_string_and_a_classifier_option(tmp_path) -> None:
    config = tmp_path / "piimap.yaml"
    config.write_text("sources: {data: data.csv}\nsettings:\n  default_region: [US, gb]\n", encoding="utf-8")
    assert load_config(config).settings.default_region == "US,GB"
    config.write_text(
        "sources: {data: data.csv}\nclassifiers:\n  phone: {default_region: 'JP, KR'}\n", encoding="utf-8"
    )
    settings = load_config(config).settings
    assert PhoneClassifier(settings).regions == ("JP", "KR")
    config.write_text("sources: {data: data.csv}\nsettings:\n  default_region: [US, XX]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown region 'XX'"):
        load_config(config)


@pytest.mark.slow
def test_country_names_load_without_the_geocoder_prefixes() -> None:
    """The country names come from phonenumbers' locale table alone, not its ~100 MB geocoding package.

    The slow reference is the ordinary import of ``phonenumbers.geodata.locale`` (which runs the
    package's ``__init__`` and loads every prefix): both give the same names. Run in a child
    process, so nothing another test imported counts.
    """
    script = (
        "import sys\n"
        "from piimap.classifiers.phone import _country_names, country_regions\n"
        "assert country_regions(['Deutschland', 'France'], codes=False) == ('DE', 'FR')\n"
        "assert 'phonenumbers.geodata' not in sys.modules, 'the geocoder prefixes were loaded'\n"
        "fast = dict(_country_names())\n"
        "_country_names.cache_clear()\n"
        "import phonenumbers.geodata.locale\n"  # the reference: the usual import, prefixes and all
        "assert 'phonenumbers.geodata' in sys.modules\n"
        "assert dict(_country_names()) == fast and len(fast) > 1000\n"
        "print('ok')\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"
