"""Person-name classifier: name lists, field names and spaCy; things that are not people."""

from __future__ import annotations

import pytest

from piimap.classifiers.person_name import PersonNameClassifier, load_spacy, name_strength
from piimap.model import FieldRef, FieldSample
from piimap.settings import ScanSettings


def sample(name: str | None, values, container: str = "public.t") -> FieldSample:
    return FieldSample(FieldRef("src", container, name), tuple(values))


def best(container: str, name: str | None, values) -> float:
    classifier = PersonNameClassifier(ScanSettings())
    detections = list(classifier.classify(sample(name, values, container)))
    return max((detection.confidence for detection in detections), default=0.0)


@pytest.mark.parametrize(
    ("value", "named", "expected"),
    [
        ("Jane Smith", False, True),
        ("JANE SMITH", False, True),
        ("jane smith", False, True),
        ("Dr. Jane A. Smith Jr.", False, True),
        ("Pieter van Dijk", False, True),
        ("María José García", False, True),
        ("Jean-Pierre Dupont", False, True),
        ("山田 太郎", False, True),
        ("山田太郎", False, True),
        ("John Brown", False, True),
        ("Smith", True, True),
        ("müller", True, True),
        ("O'Brien", True, True),
        ("Priya", True, True),
        # CJK full names written without a space, kana readings, other scripts
        ("工藤新一", False, True),  # a surname missing from the lists, built from surname characters
        ("李欣", False, True),
        ("김영희", False, True),
        ("タナカ オサム", False, True),
        ("たなか", True, True),  # a hiragana reading, looked up as katakana
        ("Ираида Руслановна Кириллова", False, True),  # with a patronymic
        ("พิมพกานต์ ขอหมั่นกลาง", False, True),  # Thai vowel signs are combining marks
        # lists of people
        ("Angus Young, Malcolm Young, Brian Johnson", False, True),
        ("Jane Smith & John Doe", False, True),
        ("Jane Smith / John Doe", False, True),
        ("Jane Smith; John Doe", False, True),
        ("Smith, Jane", False, True),  # one person, surname first
        # not names
        ("Smith", False, False),  # a lone surname in a column that does not say names
        ("Smith Inc", False, False),
        ("Smith, Johnson and Brown", False, False),
        ("Schmidt GmbH", False, False),
        ("株式会社山田", False, False),
        ("Lake Jennifer", False, False),
        ("North Johnmouth", False, False),
        ("Main Street", False, False),
        ("Ergonomic Steel Chair", False, False),
        ("jane@example.com", False, False),
        ("R2D2", False, False),
        ("Active", True, False),
        ("周末", False, False),  # "weekend": a surname character and an unusual given-name one
        ("抹茶ラテ", False, False),
        ("田中商店", False, False),  # Tanaka's shop
        ("横浜市", False, False),
        ("Acme Corp, Globex Inc", False, False),
        ("Paris, Lyon & Nice", False, False),
        ("Smith & Sons", False, False),
        ("rue Marie", False, False),  # street words from Faker's address providers
        ("Strada Stoica", False, False),
        ("Lukács Bt.", False, False),  # company words from Faker's company providers
        ("Rock/Pop", False, False),
        ("2023-01-15", True, False),
    ],
)
def test_value_table(value: str, named: bool, expected: bool) -> None:
    verdict = name_strength(value, named)
    decided = verdict.strength >= 0.8
    assert decided is expected


@pytest.mark.parametrize(
    ("container", "field", "values"),
    [
        (
            "public.customers",
            "last_name",
            ["Smith", "Müller", "Tanaka", "Dubois", "Silva", "Patel", "Kowalski"] * 4,
        ),
        ("public.customers", "first_name", ["Jane", "Hans", "Yuki", "Amélie", "João", "Priya", "Olga"] * 4),
        ("public.customers", "surname", ["SMITH", "MÜLLER", "GARCIA", "ROSSI", "NGUYEN", "KIM", "COHEN"] * 4),
        ("public.customers", "name", ["Jane Smith", "Hans Müller", "Amélie Dubois", "João Silva"] * 5),
        ("public.staff", "full_name", ["jane smith", "hans müller", "amélie dubois", "joão silva"] * 5),
        ("crm.contacts", "contact_name", ["佐藤 花子", "鈴木 一郎", "高橋 健太", "田中 美咲"] * 5),
        ("public.t", "c1", ["Jane Smith", "Hans Müller", "Amélie Dubois", "João Silva", "Rahul Sharma"] * 5),
    ],
)
def test_name_columns_found(container: str, field: str, values: list[str]) -> None:
    assert best(container, field, values) >= 0.8


@pytest.mark.parametrize(
    ("field", "values"),
    [
        (
            "c7",
            ["Jane", "Hans", "Yuki", "Amélie", "João", "Priya", "Olga", "Pedro"] * 4,
        ),  # a first-name column
        ("c8", ["タナカ", "スズキ", "サトウ", "ヤマダ", "イトウ", "n/a", "-"] * 4),  # readings, with junk
        ("c9", ["山田太郎", "佐藤花子", "李欣", "김영희", "鈴木一郎"] * 4),
        ("Composer", ["Angus Young, Malcolm Young & Brian Johnson", "Steve Harris/Bruce Dickinson"] * 6),
        ("StaffName", ["佐藤 花子", "鈴木 一郎", "高橋 健太"] * 6),
        ("yomi_first", ["アキラ", "ヨウコ", "マナブ", "リカ"] * 6),
    ],
)
def test_name_columns_found_on_their_values_or_new_names(field: str, values: list[str]) -> None:
    assert best("public.t", field, values) >= 0.5


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("c7", ["コーヒー", "カメラ", "テレビ", "マウス", "バッグ", "シャツ"] * 4),
        ("c8", ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart"] * 4),
        ("c9", ["高速充電器", "抹茶ラテ", "京都大福", "有機緑茶", "特製醤油"] * 4),
        ("c10", ["Acme Corp, Globex Inc", "Initech LLC, Umbrella Corp"] * 6),
    ],
)
def test_same_shape_negatives_not_reported(field: str, values: list[str]) -> None:
    assert best("public.t", field, values) < 0.5


@pytest.mark.parametrize(
    ("container", "field", "values"),
    [
        (
            "music.genre",
            "name",
            ["Rock", "Jazz", "Blues", "Hip Hop", "Classical", "Country", "Soul", "Reggae"],
        ),
        (
            "shop.products",
            "product_name",
            ["Ergonomic Steel Chair", "Small Granite Table", "Sleek Cotton Hat"] * 5,
        ),
        ("shop.products", "name", ["Jordan Air", "Kelly Bag", "Victoria Sponge", "Earl Grey"] * 5),
        ("crm.accounts", "company", ["Smith LLC", "Johnson, Lee and Park", "Müller GmbH", "Dubois SA"] * 5),
        ("geo.places", "city", ["Lake Jennifer", "North Johnmouth", "Port Emily", "East Davidberg"] * 5),
        ("public.t", "c2", ["Smith", "Brown", "Green", "Young", "King", "Rice", "Price", "Black"] * 4),
        ("public.t", "status", ["active", "pending", "closed", "new"] * 5),
        ("public.users", "username", ["jsmith", "hans.mueller", "amelie_d", "joao99"] * 5),
    ],
)
def test_non_person_columns_not_reported(container: str, field: str, values: list[str]) -> None:
    assert best(container, field, values) < 0.5


def test_spacy_recognises_names_missing_from_the_lists() -> None:
    assert load_spacy(ScanSettings().spacy_model) is not None
    values = ["Oluwaseun Adeyemi", "Chukwuemeka Okonkwo", "Ngozi Eze", "Tunde Bakare"] * 5
    classifier = PersonNameClassifier(ScanSettings())
    (detection,) = classifier.classify(sample("customer_name", values, "public.orders"))
    assert detection.confidence >= 0.8
    assert "spaCy" in detection.evidence


def test_names_in_log_lines() -> None:
    classifier = PersonNameClassifier(ScanSettings())
    lines = ["GET /health 200"] * 20 + ["ticket 4411 opened by Jane Smith from support"]
    (detection,) = classifier.classify(sample(None, lines, "logs/app.log"))
    assert detection.matched == 1 and detection.confidence >= 0.8
    assert detection.examples == ("J*** S***",)


def test_log_lines_without_names() -> None:
    classifier = PersonNameClassifier(ScanSettings())
    lines = ["GET /North/Lake 200", "Service Unavailable on Main Street host", "New York datacenter ok"] * 5
    assert list(classifier.classify(sample(None, lines, "logs/app.log"))) == []


def test_missing_spacy_model_falls_back_to_lists() -> None:
    settings = ScanSettings(spacy_model="no_such_model_xyz")
    classifier = PersonNameClassifier(settings)
    (detection,) = classifier.classify(sample("full_name", ["Jane Smith", "Hans Müller"] * 5))
    assert detection.confidence >= 0.8
