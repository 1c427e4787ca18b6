"""A connector over data held in the source's options: for tests of everything above connectors.

Like httpx's ``MockTransport``, it is shipped in the library so that the engine, the pipeline,
reports, plugins and their tests run without a database, a bucket or a file, and it honours the
connector contract exactly as the real connectors do (include/exclude, counted batches on full
reads with ``counted``, errors as :class:`~piimap.model.SourceError` lines, a fingerprint that changes with the
data). It never reads or writes anything outside the options it is given.

A source is ``fake://NAME`` with the data under ``containers``::

    sources:
      crm:
        url: fake://crm
        containers:
          customers: [{email: jane@example.com, tier: gold}, {email: joe@example.org, tier: free}]
          app.log: ["GET /?email=jane@example.com", "GET /health"]

A container given as a list of mappings is a table (one field per key, values as
:func:`~piimap.connectors.toolkit.value_text` writes them); a list of strings is free text (one
line per string, no field name). Faults for tests: ``unavailable`` (a message: the whole source
fails), ``unreadable`` (globs: those containers fail), ``fail_after`` (rows: a container read in
full fails part-way after this many rows); ``counted: true`` makes full reads send counted
samples (each distinct value once, with its count), as full reads of logs do.

In Python: ``SourceSpec("crm", "fake://crm", {"containers": {...}})`` with
:class:`~piimap.engine.scan` or :func:`piimap.run_scan`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from pydantic import Field

from piimap.connectors.toolkit import NameFilter, filtered_options, value_text
from piimap.model import (
    Container,
    ContainerKind,
    ContainerUnreadable,
    FieldRef,
    FieldSample,
    SourceSpec,
    SourceUnavailable,
)
from piimap.schema.base import ConfigModel, Flag, GlobList, NonNegativeInt, PositiveInt
from piimap.settings import ScanSettings

__all__ = ["FakeConnector", "FakeOptions"]

#: rows per batch when a container is read in full (``sample_size`` 0)
DEFAULT_BATCH_SIZE = 1000


class FakeOptions(ConfigModel):
    """Source options of a ``fake://`` source."""

    containers: dict[str, list[dict[str, Any]] | list[str]] = Field(
        default_factory=dict, description="container name -> rows (mappings) or lines of text"
    )
    include: GlobList = Field(default=(), description="only containers matching these globs")
    exclude: GlobList = Field(default=(), description="skip containers matching these globs")
    batch_size: PositiveInt = Field(default=DEFAULT_BATCH_SIZE, description="rows per batch on full reads")
    unavailable: str | None = Field(default=None, description="fail the whole source with this message")
    unreadable: GlobList = Field(default=(), description="containers that fail to be read")
    fail_after: NonNegativeInt | None = Field(
        default=None, description="a full read fails after this many rows of each container"
    )
    counted: Flag = Field(
        default=False,
        description="full reads yield counted samples (each distinct value once, with its count)",
    )


class FakeConnector:
    """Reads the data of a ``fake://`` source's options; see the module docstring."""

    name: ClassVar[str] = "fake"
    options_model: ClassVar[type[FakeOptions]] = FakeOptions

    def __init__(self, spec: SourceSpec, settings: ScanSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.options, self.names = filtered_options(FakeOptions, spec)
        self.unreadable = NameFilter(include=self.options.unreadable) if self.options.unreadable else None
        self.closed = False

    @classmethod
    def accepts(cls, url: str) -> bool:
        """``fake://`` URLs."""
        return url.lower().startswith("fake://")

    def discover(self) -> Iterator[Container]:
        """One container per entry of ``containers``, in the order given, honouring include/exclude."""
        if self.options.unavailable is not None:
            raise SourceUnavailable(f"cannot reach {self.spec.display_url}: {self.options.unavailable}")
        for name, data in self.options.containers.items():
            if not self.names.wanted(name):
                continue
            text = bool(data) and all(isinstance(item, str) for item in data)
            yield Container(
                source=self.spec.name,
                name=name,
                kind=ContainerKind.FILE if text else ContainerKind.TABLE,
                locator=(name,),
                fingerprint=_fingerprint(data),
            )

    def sample(self, container: Container, limit: int) -> Iterator[FieldSample]:
        """The first ``limit`` rows of ``container`` (0: all of them, in batches of ``batch_size``)."""
        (name,) = container.locator
        if self.unreadable is not None and self.unreadable.wanted(name):
            raise ContainerUnreadable(f"{name}: permission denied (fake)")
        rows: Sequence[Any] = self.options.containers.get(name, [])
        if limit > 0:
            yield from self._samples(container, rows[:limit])
            return
        size = self.options.batch_size
        fail_after = self.options.fail_after
        for start in range(0, len(rows), size):
            if fail_after is not None and start >= fail_after:
                raise ContainerUnreadable(f"{name}: connection lost after {start} rows (fake)")
            batch = self._samples(container, rows[start : start + size])
            yield from (map(_counted, batch) if self.options.counted else batch)

    def close(self) -> None:
        """Nothing to release; safe to call twice."""
        self.closed = True

    def _samples(self, container: Container, rows: Sequence[Any]) -> Iterator[FieldSample]:
        if container.kind is ContainerKind.FILE:
            lines = tuple(line[: self.settings.max_value_length] for line in rows if line)
            ref = FieldRef(self.spec.name, container.name, None)
            yield FieldSample(ref, lines, null_count=len(rows) - len(lines))
            return
        fields: dict[str, tuple[list[str], list[int]]] = {}
        for row in rows:
            for key, value in row.items():
                values, nulls = fields.setdefault(str(key), ([], [0]))
                text = value_text(value)
                if text is None:
                    nulls[0] += 1
                else:
                    values.append(text[: self.settings.max_value_length])
        for key, (values, nulls) in fields.items():
            yield FieldSample(
                FieldRef(self.spec.name, container.name, key), tuple(values), null_count=nulls[0]
            )


def _counted(sample: FieldSample) -> FieldSample:
    """``sample`` as distinct values with their counts (what full reads of logs send)."""
    counts = Counter(sample.values)
    return FieldSample(
        sample.field, tuple(counts), null_count=sample.null_count, counts=tuple(counts.values())
    )


def _fingerprint(data: Sequence[Mapping[str, Any] | str]) -> str:
    """A digest of the container's data: it changes when the data does."""
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
