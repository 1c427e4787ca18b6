"""Check digits and number formats, shared by the built-in classifiers and ``custom_categories``.

Every validator here is a function ``str -> bool`` backed by ``python-stdnum`` (no hand-written
checksum): card numbers (Luhn, :mod:`stdnum.luhn`), IBANs (per-country length, BBAN format and
mod 97-10: :mod:`stdnum.iban`), SWIFT/BIC codes, and national identification numbers of many
countries (UK National Insurance numbers, which have no check digit, by HMRC's allocation rules). :data:`VALIDATORS` is what the config's ``custom_categories: [{validator: NAME}]``
accepts, so a user's own category gets the same checks as the built-in ones.

Validators accept the usual spellings (spaces, hyphens, dots as separators) and answer ``False``
for anything they cannot read, never raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from types import MappingProxyType

__all__ = [
    "NATIONAL_IDS",
    "VALIDATORS",
    "NationalId",
    "gb_nino_valid",
    "luhn_valid",
    "mod97_valid",
    "stdnum_check",
]

_SEPARATORS = re.compile(r"[\s.\-/]")


@cache
def _module(name: str):
    return import_module(f"stdnum.{name}")


def stdnum_check(module: str) -> Callable[[str], bool]:
    """``is_valid`` of ``stdnum.<module>``, imported on first use, never raising."""

    def check(value: str) -> bool:
        try:
            return bool(_module(module).is_valid(value))
        except Exception:  # stdnum raises only its own errors, but a bad value must never stop a scan
            return False

    check.__name__ = f"stdnum_{module.replace('.', '_')}"
    check.__doc__ = f"True when ``stdnum.{module}`` accepts the value."
    return check


def luhn_valid(value: str) -> bool:
    """The Luhn check over the value's digits (separators allowed, at least two digits)."""
    digits = _SEPARATORS.sub("", value.strip())
    if len(digits) < 2 or not digits.isdigit() or not digits.isascii():
        return False
    return bool(_module("luhn").is_valid(digits))


def mod97_valid(value: str) -> bool:
    """ISO 7064 mod 97-10 as IBANs use it (the first four characters moved to the end), any length."""
    compact = _SEPARATORS.sub("", value.strip()).upper()
    if len(compact) < 5 or not compact.isalnum() or not compact.isascii():
        return False
    return bool(_module("iso7064.mod_97_10").is_valid(compact[4:] + compact[:4]))


_NINO = re.compile(r"([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])")
#: prefixes HMRC never allocates (ZZ is the placeholder test data uses)
_NINO_UNUSED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def gb_nino_valid(value: str) -> bool:
    """A UK National Insurance number by HMRC's allocation rules (it has no check digit):
    two prefix letters (not D, F, I, Q, U, V; O not second; not BG, GB, KN, NK, NT, TN, ZZ), six
    digits, a suffix A-D."""
    compact = _SEPARATORS.sub("", value.strip()).upper()
    match = _NINO.fullmatch(compact)
    return match is not None and match.group(1) not in _NINO_UNUSED


@dataclass(frozen=True)
class NationalId:
    """One kind of national identification number: where it is issued, its check, its Fides key."""

    name: str
    label: str
    category: str
    check: Callable[[str], bool]


_NID = "user.government_id.national_identification_number"
_TAX = "user.government_id.tax_id"

#: the national ids the government-id classifier knows (and custom categories can name), by
#: validator name: ``<country>_<number>`` after the python-stdnum module
NATIONAL_IDS: tuple[NationalId, ...] = (
    NationalId("us_ssn", "US Social Security number", _NID, stdnum_check("us.ssn")),
    NationalId("fr_nir", "French NIR (social security number)", _NID, stdnum_check("fr.nir")),
    NationalId("de_idnr", "German Steuer-ID (tax identification number)", _TAX, stdnum_check("de.idnr")),
    NationalId("it_codicefiscale", "Italian codice fiscale", _TAX, stdnum_check("it.codicefiscale")),
    NationalId("es_dni", "Spanish DNI", _NID, stdnum_check("es.dni")),
    NationalId("es_nie", "Spanish NIE (foreigner id)", _NID, stdnum_check("es.nie")),
    NationalId("nl_bsn", "Dutch BSN (citizen service number)", _NID, stdnum_check("nl.bsn")),
    NationalId("gb_nino", "UK National Insurance number", _NID, gb_nino_valid),
    NationalId("in_aadhaar", "Indian Aadhaar number", _NID, stdnum_check("in_.aadhaar")),
    NationalId("in_pan", "Indian PAN (permanent account number)", _TAX, stdnum_check("in_.pan")),
    NationalId("br_cpf", "Brazilian CPF", _TAX, stdnum_check("br.cpf")),
    NationalId("cn_ric", "Chinese resident identity card number", _NID, stdnum_check("cn.ric")),
)

VALIDATORS: Mapping[str, Callable[[str], bool]] = MappingProxyType(
    {
        "luhn": luhn_valid,
        "iban": stdnum_check("iban"),
        "mod97": mod97_valid,
        "bic": stdnum_check("bic"),
        "credit_card": luhn_valid,
        "imei": stdnum_check("imei"),
        **{national.name: national.check for national in NATIONAL_IDS},
    }
)
