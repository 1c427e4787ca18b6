"""Caches keyed by raw values live no longer than the scan that filled them.

Validators cache their verdict per distinct value (an address seen on a million log lines is
checked once), which means the caches hold raw personal data. :func:`value_cache` is
:func:`functools.lru_cache` for such functions, and :func:`register` takes any other object
with a ``clear()`` method (a classifier's own dictionary of model verdicts); every one of them is
emptied when the last :func:`scan_scope` of the process ends. The engine opens a scope around
every scan, ``piimap explain`` around its reads, and a Dask worker is cleared when a source is
done with it (:func:`clear_value_caches`). Scopes nest and may overlap (two scans in two threads
of one process): the caches are cleared when none is open any more, never under a running scan.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import _lru_cache_wrapper, lru_cache
from typing import Protocol, TypeVar

__all__ = ["Clearable", "value_cache", "register", "scan_scope", "clear_value_caches", "open_scopes"]

T = TypeVar("T")


class Clearable(Protocol):
    """Anything holding raw values that can be emptied."""

    def clear(self) -> None: ...


class _CacheClearer:
    """Adapts an ``lru_cache`` wrapper (``cache_clear``) to :class:`Clearable`."""

    __slots__ = ("wrapper",)

    def __init__(self, wrapper: _lru_cache_wrapper[object]) -> None:
        self.wrapper = wrapper

    def clear(self) -> None:
        self.wrapper.cache_clear()


_lock = threading.Lock()
_open_scopes = 0
#: module-level caches (they live as long as the process, so they are held strongly)
_functions: list[_CacheClearer] = []
#: caches owned by objects (classifier instances), by id: held weakly, so they go with their owner
_owned: dict[int, weakref.ref[Clearable]] = {}


def value_cache(maxsize: int) -> Callable[[Callable[..., T]], _lru_cache_wrapper[T]]:
    """:func:`functools.lru_cache` of ``maxsize`` entries, emptied when the scan scope ends."""

    def decorate(function: Callable[..., T]) -> _lru_cache_wrapper[T]:
        wrapper = lru_cache(maxsize=maxsize)(function)
        with _lock:
            _functions.append(_CacheClearer(wrapper))
        return wrapper

    return decorate


def register(cache: Clearable) -> Clearable:
    """Empty ``cache`` (held weakly) with the value caches; returns it."""
    key = id(cache)

    def forget(_gone: object) -> None:  # may run in a garbage collection: no lock, one atomic pop
        _owned.pop(key, None)

    reference = weakref.ref(cache, forget)
    with _lock:
        _owned[key] = reference
    return cache


def clear_value_caches() -> None:
    """Empty every registered cache now."""
    with _lock:
        owned = [reference() for reference in list(_owned.values())]
        caches: list[Clearable] = [*_functions, *(cache for cache in owned if cache is not None)]
    for cache in caches:
        cache.clear()


def open_scopes() -> int:
    """How many scan scopes are open in this process."""
    return _open_scopes


@contextmanager
def scan_scope() -> Iterator[None]:
    """Within the block the value caches fill; when the last open scope ends they are emptied."""
    global _open_scopes
    with _lock:
        _open_scopes += 1
    try:
        yield
    finally:
        with _lock:
            _open_scopes -= 1
            last = _open_scopes == 0
        if last:
            clear_value_caches()
