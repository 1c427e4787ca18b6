"""The policy file (``policy.yaml``): what the privacy policy says is collected and shared.

:mod:`piimap.declarations` turns a validated :class:`PolicyFile` into
:class:`~piimap.declarations.Policy`. Every key is documented in docs/configuration.md ("The policy").
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from piimap.schema.base import CategoryList, ConfigModel, Text
from piimap.schema.datamap import RoleKey

__all__ = ["COLLECTED", "SharedCategories", "PolicyFile"]

#: In a policy's ``shared``: every category the policy says is collected.
COLLECTED = "collected"


class SharedCategories(ConfigModel):
    """What one recipient role is told about: the ``collected`` list, or these categories."""

    collected: bool = False
    categories: CategoryList = ()


def _shared_shorthand(value: Any) -> Any:
    if value == COLLECTED:
        return {"collected": True}
    if isinstance(value, list) and COLLECTED in value:  # [collected, user.device.ip_address]
        return {"collected": True, "categories": [item for item in value if item != COLLECTED]}
    if value is None or isinstance(value, list):
        return {"categories": value or []}
    raise ValueError(f"must be a list of category keys or '{COLLECTED}', not {value!r}")


class PolicyFile(ConfigModel):
    """The whole policy file."""

    collected: CategoryList = Field(
        description="the categories the policy says are collected (a found category not covered "
        "raises PIIMAP003)"
    )
    shared: dict[RoleKey, Annotated[SharedCategories, BeforeValidator(_shared_shorthand)]] = Field(
        default_factory=dict,
        description=f"recipient role -> the categories the policy says are shared with it, or "
        f"'{COLLECTED}' for the whole collected list",
    )
    name: Text = Field(default="", description="the policy's title")
    url: Text = Field(default="", description="where it is published")
    updated: Text = Field(default="", description="its 'last updated' date")
    citations: list[dict[str, Any]] = Field(
        default_factory=list,
        description="what `piimap policy extract` read: one statement per entry with its sentence "
        "(checked by piimap.policytext.policy.parse_citations)",
    )
    no_longer_in_text: dict[str, Any] = Field(
        default_factory=dict, description="written by `policy extract --update`: what the text no longer says"
    )
