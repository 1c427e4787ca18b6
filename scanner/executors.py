"""Where container tasks run: local threads (:class:`~piimap.engine.ThreadExecutor`) or a Dask cluster.

:class:`DaskExecutor` ships each :class:`~piimap.engine.ContainerTask` (plain, picklable data) to a
Dask distributed cluster and runs :func:`piimap.engine.run_container_task` on a worker; each
worker process opens a source's connector and builds the classifiers once and reuses them for
every task it gets. Only masked findings travel back. Results are the same as with the local
executor on the same data.

A source's tasks run only on workers whose threads add up to at most its
:func:`~piimap.engine.connection_limit` (at least one worker), with at most that many tasks in
flight, so however the cluster is sized no more than that many connections to the source are
ever open. When a source is done the executor closes its connectors on every worker, so a scan
never keeps connections to a database it has finished with. Workers with one thread each
(``dask worker --nthreads 1``) spread a source over the most processes.

Without a scheduler address a :class:`distributed.LocalCluster` is started (one process per
worker, one thread each) and shut down when the executor closes.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from piimap.connectors.toolkit import describe_error, first_line
from piimap.engine import (
    ContainerOutcome,
    ContainerTask,
    Executor,
    ThreadExecutor,
    close_connector,
    connection_limit,
    release_source,
    run_container_task,
)
from piimap.model import ConfigError, PiimapError, SourceError, SourceSpec
from piimap.redact import redact_message, redact_text, redact_url
from piimap.settings import ScanSettings

__all__ = ["EXECUTORS", "ExecutorUnavailable", "DaskExecutor", "make_executor"]

log = logging.getLogger(__name__)

#: Names accepted by ``--executor`` and ``executor:`` in the config.
EXECUTORS = ("local", "dask")


#: Seconds to wait for a Dask scheduler before giving up (``executor: {connect_timeout: ...}``).
DEFAULT_CONNECT_TIMEOUT = 10.0


class ExecutorUnavailable(PiimapError):
    """The chosen executor cannot run: Dask is not installed or its scheduler cannot be reached."""


def make_executor(
    name: str | None,
    settings: ScanSettings,
    *,
    scheduler_address: str | None = None,
    connect_timeout: float | None = None,
) -> Executor:
    """The executor called ``name`` (``local`` when ``None``). Building one does no I/O."""
    name = (name or "local").lower()
    if name == "local":
        if scheduler_address:
            raise ConfigError("--dask-scheduler needs --executor dask")
        return ThreadExecutor(settings.workers, settings.max_connections_per_source)
    if name == "dask":
        return DaskExecutor(
            scheduler_address,
            workers=settings.workers,
            connect_timeout=connect_timeout or DEFAULT_CONNECT_TIMEOUT,
        )
    raise ConfigError(f"unknown executor '{name}' (choose from: {', '.join(EXECUTORS)})")


class DaskExecutor(Executor):
    """Runs container tasks on a Dask distributed cluster (see the module docstring).

    ``scheduler_address`` is ``tcp://HOST:8786``; ``None`` starts a local cluster of ``workers``
    processes. The connection is opened on the first :meth:`run`.
    """

    def __init__(
        self,
        scheduler_address: str | None = None,
        *,
        workers: int = 2,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    ) -> None:
        self.scheduler_address = scheduler_address
        self.workers = max(1, workers)
        self.connect_timeout = connect_timeout
        self._client: Any = None
        self._cluster: Any = None

    @property
    def display_address(self) -> str:
        return redact_url(self.scheduler_address) if self.scheduler_address else "a local Dask cluster"

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorUnavailable(
                "--executor dask needs Dask distributed: pip install 'piimap[dask]'"
            ) from None
        try:
            if self.scheduler_address:
                self._client = Client(
                    self.scheduler_address, timeout=f"{self.connect_timeout}s", set_as_default=False
                )
            else:
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    scheduler_kwargs={"dashboard": False},
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster, set_as_default=False)
        except Exception as error:
            self.close()
            detail = first_line(error)
            raise ExecutorUnavailable(
                f"cannot reach the Dask scheduler at {self.display_address}: {redact_text(detail)}"
            ) from None
        return self._client

    def run(self, tasks: Iterable[ContainerTask]) -> Iterator[ContainerOutcome]:
        """Yield outcomes as workers finish them, keeping per-source in-flight tasks bounded."""
        waiting: dict[str, deque[ContainerTask]] = {}
        specs: dict[str, SourceSpec] = {}
        limits: dict[str, int] = {}
        for task in tasks:
            waiting.setdefault(task.spec.name, deque()).append(task)
            specs.setdefault(task.spec.name, task.spec)
            limits.setdefault(task.spec.name, connection_limit(task.spec, task.settings))
        if not waiting:
            return
        client = self._connect()
        from distributed import as_completed

        for spec in specs.values():
            # Discovery's pooled connection in this process is not needed while workers read.
            close_connector(spec)
        threads = self._worker_threads(client)
        pinned = {name: _pick_workers(threads, limits[name]) for name in waiting}
        in_flight: dict[str, int] = {name: 0 for name in waiting}
        owners: dict[str, ContainerTask] = {}
        completed = as_completed(loop=client.loop)

        def submit_more(source: str) -> None:
            queue = waiting[source]
            while queue and in_flight[source] < limits[source]:
                task = queue.popleft()
                future = client.submit(
                    run_container_task,
                    task,
                    pure=False,
                    workers=pinned[source] or None,
                    allow_other_workers=not pinned[source],
                )
                owners[future.key] = task
                in_flight[source] += 1
                completed.add(future)

        try:
            for source in waiting:
                submit_more(source)
            for future in completed:
                task = owners.pop(future.key)
                in_flight[task.spec.name] -= 1
                submit_more(task.spec.name)
                yield self._outcome(future, task)
        finally:
            for spec in specs.values():
                self._close_on_workers(client, spec)

    def _worker_threads(self, client: Any) -> dict[str, int]:
        """Worker address -> threads, as the scheduler knows them now."""
        try:
            workers = client.scheduler_info().get("workers", {})
        except Exception as error:
            log.debug("cannot list the Dask workers: %s", error)
            return {}
        return {address: int(info.get("nthreads", 1) or 1) for address, info in workers.items()}

    def _outcome(self, future: Any, task: ContainerTask) -> ContainerOutcome:
        """The worker's outcome, or an error outcome when the task itself failed on the cluster."""
        try:
            return future.result()
        except Exception as error:  # worker lost, task not deserialisable, ...
            message = redact_message(f"on the Dask cluster: {describe_error(error)}", task.spec.url)
            return ContainerOutcome(task, error=SourceError(task.spec.name, message, task.container.name))

    def _close_on_workers(self, client: Any, spec: SourceSpec) -> None:
        try:
            client.run(release_source, spec)  # its connections, and the caches of values read
        except Exception as error:  # a worker that went away has no connection left to close
            log.debug("closing %s on the Dask workers failed: %s", spec.name, error)

    def close(self) -> None:
        """Disconnect, and shut down the local cluster if this executor started one."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        for resource in (client, cluster):
            if resource is None:
                continue
            try:
                resource.close()
            except Exception as error:
                log.debug("closing the Dask %s failed: %s", type(resource).__name__, error)


def _pick_workers(threads: dict[str, int], limit: int) -> list[str]:
    """The workers one source may use: whole workers whose threads add up to at most ``limit``
    (always at least one), so that however tasks are spread, no more than ``limit`` connections
    to the source are ever open across the cluster. Empty when the workers are unknown."""
    chosen: list[str] = []
    total = 0
    for address in sorted(threads):
        if chosen and total + threads[address] > limit:
            continue
        chosen.append(address)
        total += threads[address]
        if total >= limit:
            break
    return chosen
