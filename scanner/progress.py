"""Progress bars on stderr for long scans: containers done of total per source, elapsed time, rate.

:func:`progress_observer` gives a :class:`ProgressObserver` only when stderr is a terminal and the
user did not ask for ``--quiet``; otherwise a silent observer, so logs and CI output stay clean.
Both are context managers: the bars are drawn between ``__enter__`` and ``__exit__``.
"""

from __future__ import annotations

from typing import IO, Any

from piimap.engine import ContainerOutcome, ScanObserver
from piimap.model import SourceSpec, SourceStatus
from piimap.wording import counted

__all__ = ["SilentObserver", "ProgressObserver", "progress_observer"]


class SilentObserver(ScanObserver):
    """No output; usable as a context manager like :class:`ProgressObserver`."""

    def __enter__(self) -> SilentObserver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


class ProgressObserver(ScanObserver):
    """One rich progress bar per source: ``containers done/total``, elapsed, containers per second.

    ``stream`` defaults to stderr; ``force_terminal`` lets tests draw bars into a buffer.
    """

    def __init__(self, stream: IO[str] | None = None, *, force_terminal: bool | None = None) -> None:
        self._stream = stream
        self._force_terminal = force_terminal
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._errors: dict[str, int] = {}

    def __enter__(self) -> ProgressObserver:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self._stream, stderr=self._stream is None, force_terminal=self._force_terminal)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("containers"),
            TimeElapsedColumn(),
            _rate_column(),
            TextColumn("{task.fields[note]}"),
            console=console,
            transient=False,
        )
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def source_started(self, spec: SourceSpec) -> None:
        if self._progress is None:
            return
        from piimap.terminal import markup_safe

        description = markup_safe(spec.name)  # the column renders it as markup
        self._tasks[spec.name] = self._progress.add_task(description, total=None, note="discovering")
        self._errors[spec.name] = 0

    def containers_discovered(self, spec: SourceSpec, count: int) -> None:
        task = self._tasks.get(spec.name)
        if self._progress is not None and task is not None:
            self._progress.update(task, total=count, note="")

    def container_done(self, outcome: ContainerOutcome) -> None:
        name = outcome.task.spec.name
        task = self._tasks.get(name)
        if self._progress is None or task is None:
            return
        if outcome.error is not None:
            self._errors[name] = self._errors.get(name, 0) + 1
        errors = self._errors.get(name, 0)
        self._progress.update(task, advance=1, note=counted(errors, "error") if errors else "")

    def source_finished(self, status: SourceStatus) -> None:
        task = self._tasks.get(status.name)
        if self._progress is None or task is None:
            return
        if status.status != "ok":
            note = "failed"
        else:
            parts = [f"{status.skipped} unchanged"] if status.skipped else []
            errors = self._errors.get(status.name, 0)
            parts += [counted(errors, "error")] if errors else []
            note = ", ".join(parts)
        self._progress.update(task, total=status.containers or 0, completed=status.containers or 0, note=note)


def _rate_column() -> Any:
    """A column showing containers per second since the source started (rich's speed column is for bytes)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            elapsed = task.elapsed or 0.0
            if not task.completed or elapsed <= 0:
                return Text("")
            return Text(f"{task.completed / elapsed:.1f}/s")

    return RateColumn()


def progress_observer(
    *, quiet: bool = False, stream: IO[str] | None = None
) -> SilentObserver | ProgressObserver:
    """Bars on stderr when it is a terminal and not ``quiet``; silence otherwise."""
    import sys

    target = stream if stream is not None else sys.stderr
    if quiet or not _is_terminal(target):
        return SilentObserver()
    return ProgressObserver(stream)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
