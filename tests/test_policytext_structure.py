"""How the policy reader generalises: table rows read by their columns, definition lists, examples
after "including" / "together with", passive and third-party sources, shared head nouns, and
recipient classes. Each case is a small text written for the test (none is from the corpus)."""

from __future__ import annotations

import pytest

from piimap.policytext import ALL_COLLECTED, extract_policy_text
from piimap.policytext.document import parse_policy_text


def _read(text: str, kind: str = "text") -> set[tuple]:
    """(action, role, category) of every statement read from ``text``."""
    return {
        (statement.action, statement.role, category)
        for statement in extract_policy_text(text, kind).statements
        for category in statement.categories
    }


# --------------------------------------------------------------------------- tables

HTML_TABLE = """<h1>Acme Privacy Policy</h1>
<h2>Who receives your data</h2>
<table>
<thead><tr><th>Recipient</th><th>Data disclosed</th><th>Purpose</th></tr></thead>
<tbody>
<tr><td>Our payment processor</td><td>Card number and billing address</td><td>To charge your email address on file</td></tr>
<tr><td>Mixpanel</td><td>Pages you visit and your IP address</td><td>Product analytics</td></tr>
<tr><td>Cloud hosting provider</td><td>All data described in this policy</td><td>Hosting</td></tr>
</tbody>
</table>"""


def test_an_html_table_is_read_row_by_row_with_headers():
    blocks = [block for block in parse_policy_text(HTML_TABLE, "html").blocks if block.kind == "row"]
    assert [block.cells[0] for block in blocks] == [
        "Our payment processor",
        "Mixpanel",
        "Cloud hosting provider",
    ]
    assert blocks[0].header == ("Recipient", "Data disclosed", "Purpose")
    assert blocks[1].text == (
        "Recipient: Mixpanel; Data disclosed: Pages you visit and your IP address; Purpose: Product analytics"
    )


def test_table_rows_share_the_data_column_with_the_recipient_column():
    read = _read(HTML_TABLE, "html")
    assert read == {
        ("shared", "service_provider", "user.financial.credit_card"),
        ("shared", "service_provider", "user.contact.address"),
        ("shared", "analytics", "user.behavior.browsing_history"),
        ("shared", "analytics", "user.device.ip_address"),
        ("shared", "service_provider", ALL_COLLECTED),
    }  # the purpose column's "email address" is not read as data


CCPA_TABLE = """# Privacy Notice for California Residents

## Information we collect

| Category | Examples | Collected | Disclosed to | Sold |
|---|---|---|---|---|
| Identifiers | Your name, e-mail address and IP address | Yes | Service providers | No |
| Geolocation | Precise location | No | None | No |
| Commercial information | Purchase history | Yes | Advertising partners | Yes |
"""


def test_a_markdown_ccpa_table_says_collected_disclosed_and_not_sold():
    read = _read(CCPA_TABLE, "markdown")
    assert {
        ("collected", None, "user.name"),
        ("collected", None, "user.contact.email"),
        ("shared", "service_provider", "user.device.ip_address"),
        ("denied-sale", "any", "user.contact.email"),
        ("collected", None, "user.behavior.purchase_history"),
        ("shared", "advertising", "user.behavior.purchase_history"),
    } <= read
    # "Collected: No", "Disclosed to: None", "Sold: No"
    assert {item for item in read if item[2] == "user.location.precise"} == {
        ("denied-sale", "any", "user.location.precise")
    }
    assert ("denied-sale", "any", "user.behavior.purchase_history") not in read  # "Sold: Yes"


def test_a_plain_text_pipe_table_is_a_table():
    text = "Example Privacy Policy\n\nSharing\n\n| Who | What |\n|---|---|\n| Stripe | card number |\n\nThe end.\n"
    blocks = parse_policy_text(text, "text").blocks
    assert [block.kind for block in blocks] == ["heading", "heading", "row", "paragraph"]
    assert _read(text) == {("shared", "service_provider", "user.financial.credit_card")}


def test_tab_separated_lines_are_a_table_with_the_first_line_as_header():
    text = (
        "Example Privacy Policy\n\nProcessors\n\nWe use these processors:\n\n"
        "Processor\tData\tPurpose\nLetterbolt GmbH\tyour e-mail address\tnewsletter delivery\n"
        "Mixpanel\tpages you visit\tanalytics\n\nThe end.\n"
    )
    blocks = parse_policy_text(text, "text").blocks
    assert [block.kind for block in blocks] == ["heading", "heading", "paragraph", "row", "row", "paragraph"]
    assert blocks[3].header == ("Processor", "Data", "Purpose")
    assert _read(text) == {
        ("shared", "service_provider", "user.contact.email"),
        ("shared", "analytics", "user.behavior.browsing_history"),
    }


def test_a_definition_term_is_the_run_in_heading_of_its_description():
    text = (
        "<h2>Information we collect</h2><dl><dt>Technical data</dt>"
        "<dd>Our servers log your IP address.</dd></dl>"
    )
    blocks = parse_policy_text(text, "html").blocks
    assert [(block.kind, block.lead, block.text) for block in blocks] == [
        ("heading", "", "Information we collect"),
        ("paragraph", "Technical data", "Our servers log your IP address."),
    ]
    assert _read(text, "html") == {("collected", None, "user.device.ip_address")}


# --------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # "including" hung on the subordinate verb by the parser
            "We collect information automatically when you visit our website, including your IP "
            "address and browser type.",
            {("collected", None, "user.device.ip_address"), ("collected", None, "user.device.user_agent")},
        ),
        (
            "We log which pages you visit, together with your IP address.",
            {
                ("collected", None, "user.behavior.browsing_history"),
                ("collected", None, "user.device.ip_address"),
            },
        ),
        (  # a third party giving data to us
            "When you link your bank, our aggregation provider Plaid passes us your account balances.",
            {("collected", None, "user.financial")},
        ),
        (  # a head noun shared by two kinds
            "We collect contact and location data.",
            {("collected", None, "user.contact"), ("collected", None, "user.location")},
        ),
        (
            "Our hosting provider, Hetzner, keeps your encrypted account and health data.",
            {
                ("shared", "service_provider", "user.account"),
                ("shared", "service_provider", "user.health_and_medical"),
            },
        ),
        (  # a container sent to a recipient
            "Error reports sent to Bugsnag contain your device model and operating system version.",
            {("shared", "service_provider", "user.device.user_agent")},
        ),
        (  # "but" starts a statement of its own
            "We do not sell your email address, but we share your name with our affiliates.",
            {("denied-sale", "any", "user.contact.email"), ("shared", "affiliate", "user.name")},
        ),
        (
            "We may disclose your IP address to analytics providers such as Mixpanel.",
            {("shared", "analytics", "user.device.ip_address")},
        ),
        (  # a kind of provider the lists do not name
            "We send your email address to our newsletter delivery provider.",
            {("shared", "service_provider", "user.contact.email")},
        ),
        (
            "Your payment history is reported to credit reference agencies every month.",
            {("shared", "credit_bureau", "user.financial")},
        ),
        (
            "We do not knowingly collect information from children under 13.",
            {("denied-collection", None, ALL_COLLECTED)},
        ),
        (  # the people the policy is about, as the subject
            "Students cannot enter a phone number in the app.",
            {("denied-collection", None, "user.contact.phone_number")},
        ),
        (  # a recipient word inside a data phrase is not a recipient
            "To enrol, you provide your home address and driver's license number.",
            {
                ("collected", None, "user.contact.address"),
                ("collected", None, "user.government_id.drivers_license_number"),
            },
        ),
        (
            "When you call us we may capture a voiceprint to verify your identity.",
            {("collected", None, "user.biometric.voice")},
        ),
    ],
)
def test_sentence_shapes(sentence, expected):
    assert _read(f"Privacy Policy\n\nOur practices\n\n{sentence}\n") == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # a host that stores the data receives it; nothing more is said about collection
            "Video clips are stored on Amazon Web Services.",
            {("shared", "service_provider", "user.content")},
        ),
        (  # "go to" as a verb of giving
            "Crash logs, including the phone model and the app version, go to Firebase Crashlytics.",
            {("shared", "service_provider", "user.device.user_agent")},
        ),
        (  # "is visible to" as a verb of giving
            "The clips you choose to post are visible to other users nearby.",
            {("shared", "public", "user.content")},
        ),
        (  # the subject of "are public" is the subject of the coordinated "can be seen"
            "Your playlists are public by default and can be seen by other users.",
            {("shared", "public", "user.content")},
        ),
        (  # "public health authorities" are authorities, not the public
            "We disclose your medical records to public health authorities.",
            {("shared", "legal", "user.health_and_medical")},
        ),
        (
            "Passenger names and booking details are stored for us by Amadeus.",
            {
                ("shared", "service_provider", "user.name"),
                ("shared", "service_provider", "user.behavior.purchase_history"),
            },
        ),
        (  # a recipient class that performs a service for us
            "We send your location to roadside assistance partners.",
            {("shared", "service_provider", "user.location")},
        ),
        (  # storing nothing on a host is not sharing with it
            "We do not store your photos on Google Cloud.",
            set(),
        ),
    ],
)
def test_verbs_of_giving_and_hosting(sentence, expected):
    found = _read(f"Privacy Policy\n\nOur practices\n\n{sentence}\n")
    assert {item for item in found if item[0] == "shared"} == expected


def test_a_run_in_heading_that_names_data_is_collected_when_the_item_names_none():
    text = (
        "Privacy Policy\n\nInformation we collect\n\n"
        "* Usage information: when you open the app and which settings you change.\n"
        "* Account information: your name and e-mail address.\n"
    )
    found = _read(text)
    assert ("collected", None, "user.behavior") in found
    assert ("collected", None, "user.name") in found
    assert ("collected", None, "user.account") not in found  # its examples say what it is


def test_the_run_in_heading_names_the_receiver_of_that_company():
    text = (
        "Sharing\n\n4.1 Energy companies. If you join a program of your energy company, we send that "
        "company your postcode.\n"
    )
    assert _read(text) == {("shared", "partner", "user.contact.address.postal_code")}


def test_the_words_of_a_table_header_are_not_read_as_the_rows_data():
    text = "Sharing\n\n| Recipient | Personal data |\n|---|---|\n| Mailgun | Your email address |\n"
    assert _read(text) == {("shared", "service_provider", "user.contact.email")}


def test_a_table_recipient_named_only_in_a_condition_is_not_a_recipient():
    text = (
        "Sharing\n\n| Recipient | Data |\n|---|---|\n"
        "| Our payroll processor, only if your employer asks for it | Your name and bank account number |\n"
    )
    assert {role for _, role, _ in _read(text)} == {"service_provider"}


@pytest.mark.parametrize(
    ("recipient", "role"),
    [
        ("Sendwell (e-mail delivery)", "service_provider"),
        ("Quillo (CV parsing)", "service_provider"),
        ("Northwind Ltd", "third_party"),
    ],
)
def test_a_table_recipient_no_list_names_takes_its_role_from_the_service_it_performs(recipient, role):
    text = f"Sharing\n\n| Recipient | Data |\n|---|---|\n| {recipient} | Your email address |\n"
    assert _read(text) == {("shared", role, "user.contact.email")}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("We collect your listening history.", {("collected", None, "user.behavior.media_consumption")}),
        ("We collect your licence plate.", {("collected", None, "user.government_id.vehicle_registration")}),
        ("We collect your driving behaviour.", {("collected", None, "user.behavior")}),
        ("We record your voice commands.", {("collected", None, "user.content")}),
        ("We collect your dietary requirements.", {("collected", None, "user.health_and_medical")}),
        ("We collect your employment history.", {("collected", None, "user.job_title")}),
        ("We share your name with the airline.", {("shared", "partner", "user.name")}),
        (
            "We send your insurance member ID to your health plan.",
            {("shared", "insurer", "user.health_and_medical.insurance_beneficiary_id")},
        ),
        ("We keep psychotherapy notes.", {("collected", None, "user.health_and_medical")}),
        ("We collect your vehicle identification number.", {("collected", None, "user.device.device_id")}),
        (
            "No personal data is transferred to recruitment agencies.",
            {("denied-sharing", "recruiter", ALL_COLLECTED)},
        ),
    ],
)
def test_vocabulary(sentence, expected):
    assert _read(f"Privacy Policy\n\nOur practices\n\n{sentence}\n") == expected


def test_a_bold_subject_is_not_a_run_in_heading():
    markdown = "## Who sees your data\n\n- **Your courier** sees your first name.\n- **Payments:** Stripe receives your card number.\n"
    items = [(block.lead, block.text) for block in parse_policy_text(markdown, "markdown").blocks[1:]]
    assert items == [
        ("", "Your courier sees your first name."),
        ("Payments", "Stripe receives your card number."),
    ]
    html = "<h2>Who sees your data</h2><ul><li><b>Your courier</b> sees your first name.</li></ul>"
    assert parse_policy_text(html, "html").blocks[1].text == "Your courier sees your first name."
    assert _read(markdown, "markdown") == {
        ("shared", "partner", "user.name"),
        ("shared", "service_provider", "user.financial.credit_card"),
    }


def test_a_list_item_that_names_its_data_does_not_take_all_data_from_the_introduction():
    text = (
        "## Sharing\n\nWe share personal data with the following recipients:\n\n"
        "- advertising partners, which receive your advertising ID;\n"
        "- the police, where the law requires it.\n"
    )
    assert _read(text, "markdown") == {
        ("shared", "advertising", "user.device.device_id"),
        ("shared", "legal", ALL_COLLECTED),
    }


def test_html_rows_without_closing_tags_are_still_rows():
    html = "<h2>Sharing</h2><table><tr><th>Recipient<th>Data<tr><td>Stripe<td>card number<tr><td>Mailgun<td>email</table>"
    rows = [block.text for block in parse_policy_text(html, "html").blocks if block.kind == "row"]
    assert rows == ["Recipient: Stripe; Data: card number", "Recipient: Mailgun; Data: email"]


# --------------------------------------------------------------------------- issue #14, round 5

STATE_LAW_TABLE = """# Acme Notice for State Residents

## Personal data

| Category of personal information | Examples | Sources | Disclosed for a business purpose to | Sold or shared with |
|---|---|---|---|---|
| Identifiers | Name and e-mail address | You | Payment processors | Advertising partners (e-mail address only) |
| Geolocation data | Precise location | Your phone, through cookies | Not disclosed | Not sold or shared |
"""


def test_a_state_law_table_is_read_by_what_its_headers_mean():
    read = _read(STATE_LAW_TABLE, "markdown")
    # a "Disclosed ... to" header names recipients even though it says "purpose"; examples are
    # the data, the category name ("Identifiers", "Geolocation data") stands in only without them
    assert {
        ("collected", None, "user.name"),
        ("collected", None, "user.contact.email"),
        ("shared", "service_provider", "user.name"),
        ("shared", "service_provider", "user.contact.email"),
        ("shared", "advertising", "user.contact.email"),  # the recipient cell names its own data
        ("collected", None, "user.location.precise"),
        ("collected", None, "user.device.cookie_id"),  # a source column's "through cookies"
        ("denied-sharing", "any", "user.location.precise"),
        ("denied-sale", "any", "user.location.precise"),
    } == read


def test_an_examples_column_after_a_recipient_column_lists_recipients():
    text = "# P\n\n## Sharing\n\n| Category of recipient | Example | Data they receive |\n|---|---|---|\n| Hosting provider | Hetzner | All personal data |\n"
    assert ("shared", "service_provider", ALL_COLLECTED) in _read(text, "markdown")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # contractions: "n't" is "not" (spaCy's norm), the citation keeps the words as written
            "We don't share anything with advertisers.",
            {("denied-sharing", "advertising", ALL_COLLECTED)},
        ),
        ("We won't sell your e-mail address.", {("denied-sale", "any", "user.contact.email")}),
        ("We'll need your phone number to reach you.", {("collected", None, "user.contact.phone_number")}),
        (  # any verb with a recipient after "through": the structure of a transfer
            "Receipts flow out through Mailgun with your e-mail address.",
            {("shared", "service_provider", "user.contact.email")},
        ),
        (  # a hosting sentence: the host holds everything collected
            "Our platform runs on Microsoft Azure.",
            {("shared", "service_provider", ALL_COLLECTED)},
        ),
        ("Our member database is hosted by Heroku.", {("shared", "service_provider", ALL_COLLECTED)}),
        (  # a vendor no list names: the service in the sentence gives the role
            "We send your e-mail address to Letterbolt for newsletter delivery.",
            {("shared", "service_provider", "user.contact.email")},
        ),
        (  # its appositive gives the role
            "Your postal address is passed to Quillpost, our mailing vendor.",
            {("shared", "service_provider", "user.contact.address")},
        ),
        (  # a place is not a vendor
            "We transfer your e-mail address to Canada for hosting.",
            set(),
        ),
        (  # a vendor name the small model parses into one noun with its verb
            "Braintree stores your card number.",
            {("shared", "service_provider", "user.financial.credit_card")},
        ),
        (  # "sign in with" is the person's doing, not a transfer
            "You can sign in with Google using your e-mail address.",
            set(),
        ),
    ],
)
def test_structure_rather_than_verb_lists(sentence, expected):
    found = _read(f"Privacy Policy\n\nOur practices\n\n{sentence}\n")
    assert {item for item in found if item[0] != "collected" or expected & {item}} == expected


def test_a_contraction_is_quoted_as_written():
    extraction = extract_policy_text("Privacy Policy\n\nSharing\n\nWe won't sell your e-mail address.\n")
    assert [statement.citation.text for statement in extraction.statements] == [
        "We won't sell your e-mail address."
    ]
