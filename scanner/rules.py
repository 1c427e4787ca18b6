"""The rules piimap checks, as a table: stable ids, names, severities, summaries and help text.

:mod:`piimap.checks` applies them; reports (SARIF's rules table, the HTML page's help) read this
table only, so they depend on the model and not on the checking code.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Rule", "RULES", "RULES_BY_ID", "FINDING_RULE", "BASELINE_REASON"]

#: ``Violation.suppressed`` of a violation accepted by the baseline file.
BASELINE_REASON = "baseline"


@dataclass(frozen=True)
class Rule:
    """A check with a stable id, a short name, a one-line summary and help text."""

    id: str
    name: str
    severity: str
    summary: str
    help: str


RULES: tuple[Rule, ...] = (
    Rule(
        "PIIMAP001",
        "undeclared-system",
        "error",
        "Personal data found in a source the data map does not list.",
        "Every scanned source that holds personal data must be a system in the data map. Add the "
        "source under `systems:` (by its name in piimap.yaml) with the categories it holds, or stop "
        "storing personal data there.",
    ),
    Rule(
        "PIIMAP002",
        "undeclared-category",
        "error",
        "A category of personal data was found in a system that does not declare it.",
        "The data map's entry for this system (or for the matching container or field) does not "
        "list this category. Declare it under the system's `categories:` or `containers:`, or "
        "remove the data (for example, strip it from logs). A declared category covers its "
        "sub-categories.",
    ),
    Rule(
        "PIIMAP003",
        "uncollected-category",
        "error",
        "A category of personal data was found that the privacy policy does not say is collected.",
        "The policy's `collected:` list does not cover this category, so people were not told it "
        "is collected. Update the privacy policy (and policy.yaml) or stop collecting it.",
    ),
    Rule(
        "PIIMAP004",
        "undisclosed-flow",
        "error",
        "A declared flow carries a category to a recipient role the privacy policy does not disclose.",
        "A flow in the data map sends this category to a vendor whose role is not listed for it in "
        "the policy's `shared:` section. Disclose the sharing in the privacy policy, narrow the "
        "flow's categories or containers, or stop sending the data.",
    ),
    Rule(
        "PIIMAP005",
        "declared-not-found",
        "warning",
        "The data map declares a category that the scan did not find.",
        "The system declares this category but no sampled value matched it. The declaration may "
        "be stale, the sample too small (try --sample-size 0), or the data stored in a form the "
        "classifiers do not recognise. A warning: it never fails the check.",
    ),
    Rule(
        "PIIMAP006",
        "system-not-scanned",
        "warning",
        "A system of the data map was not scanned.",
        "The data map lists a system that is not a source in piimap.yaml, so nothing checks what "
        "it holds. Add it to `sources:` or remove it from the data map. A warning only.",
    ),
    Rule(
        "PIIMAP007",
        "policy-contradiction",
        "warning",
        "The privacy policy says a category is collected or shared, and elsewhere that it is not.",
        "One sentence of the policy says this category is collected (or shared with this kind of "
        'recipient) and another denies it, without an exception that reconciles them ("except as '
        'described", a condition, children). Both sentences are quoted. Reword the policy so it says '
        "one thing; if the denial is the intended promise, make sure the data map agrees. Only "
        "policies with citations (read from the text, or written by `piimap policy extract`) are "
        "checked. A warning: it never fails the check.",
    ),
    Rule(
        "PIIMAP008",
        "undeclared-vendor-flow",
        "error",
        "Personal data was seen going to a vendor the data map declares no flow to.",
        "Requests from this system (a HAR export, an egress proxy log or the site's access log under "
        "`flows:` in piimap.yaml) carried personal data to this vendor, and the data map has no flow "
        "from the system to it. Declare the vendor (with its role, and `hosts:` or `catalogue:` when "
        "its id differs from the vendor catalogue's) and the flow with the categories it carries, or "
        "remove the tag or call that sends the data. The evidence shows, masked, which parameter "
        "carried what.",
    ),
    Rule(
        "PIIMAP009",
        "flow-beyond-declared",
        "error",
        "A declared flow was seen carrying a category it does not list.",
        "The data map declares a flow from this system to this vendor, but requests to the vendor "
        "carried a category the flow's `categories` do not cover (hashed e-mail addresses and phone "
        "numbers count as the contact category). Add the category to the flow, or stop sending it.",
    ),
    Rule(
        "PIIMAP010",
        "undisclosed-observed-flow",
        "error",
        "Personal data was seen reaching a recipient role the privacy policy does not disclose it to.",
        "Requests carried this category to a vendor whose role (from the data map, else the vendor "
        "catalogue; `unknown` for a host the catalogue does not know) is not listed for it in the "
        "policy's `shared:` section; for example e-mail addresses, hashed or not, reaching an "
        "advertising network while the policy says personal information is not sold. Disclose the "
        "sharing in the privacy policy or stop sending the data.",
    ),
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

#: Not a check: the rule reports use for plain findings (SARIF ``note`` results).
FINDING_RULE = Rule(
    "PIIMAP000",
    "pii-found",
    "note",
    "Personal data found.",
    "A field or text holds values of this personal-data category. Informational: findings are "
    "checked against the data map and policy by the PIIMAP001-PIIMAP010 rules.",
)
