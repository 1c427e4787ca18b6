"""The schema of piimap's files, as pydantic models: the single source of every key's type, range,
default and meaning.

- :class:`~piimap.schema.config.ConfigFile`: ``piimap.yaml`` (sources, settings, classifiers,
  tuning, reports, schedules, executor);
- :class:`~piimap.schema.datamap.DataMapFile`: the data map;
- :class:`~piimap.schema.policy.PolicyFile`: the policy.

Loading (:func:`piimap.config.load_config`, :func:`piimap.declarations.load_datamap`,
:func:`~piimap.declarations.load_policy`) validates a file with its model and builds the frozen
records the rest of piimap uses from it. Mistakes are reported as ``file:line: dotted.key:
message``, all at once (:class:`~piimap.schema.base.ConfigProblems`). Unknown keys are errors with
a did-you-mean; category keys must exist (:mod:`piimap.categories`).

Extending a file: add a field to its model (with a ``description``: docs/configuration.md's tables and any
generated documentation read it), then read it where the records are built. Connectors and
classifiers declare their own option models (an ``options_model`` class attribute naming a
pydantic model; :class:`~piimap.schema.base.NoOptions` for none), checked by
:func:`~piimap.schema.base.plugin_option_problems`. A plugin without one gets its options unchecked.
"""

from __future__ import annotations

from piimap.schema.base import ConfigModel, ConfigProblems, Problem, validate_document
from piimap.schema.datamap import DataMapFile
from piimap.schema.policy import PolicyFile

__all__ = ["ConfigModel", "ConfigProblems", "Problem", "validate_document", "DataMapFile", "PolicyFile"]
