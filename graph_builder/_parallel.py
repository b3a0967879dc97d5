"""Parallel work shared by the build steps: pausing the garbage collector, and one forked worker pool."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (restoring its previous state after).

    Loading makes about a million long-lived objects (the validated models) and no reference cycles;
    each full collection would walk all of them again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_SHARED: Any = None


def shared() -> Any:
    """The ``shared`` value of the ``chunked_map`` running now: its ``func`` reads it here (a forked worker has
    inherited it, so it is never pickled)."""
    return _SHARED


def chunked_map(
    func: Callable[[list[T]], list[R]],
    items: Sequence[T],
    chunk: int,
    workers: int | None = None,
    serial_below: int = 0,
    shared: Any = None,
) -> Iterator[R]:
    """``func`` over ``items`` in chunks of ``chunk``, in forked worker processes; results in the order of ``items``.

    Fewer items than ``serial_below``, or one worker, run in this process. ``workers`` defaults to
    the number of CPUs. Workers are forked, so they inherit the loaded modules and module globals:
    starting them costs milliseconds, and large read-only inputs (``shared``, or globals set before
    the call) are not sent to them. ``gc.freeze`` first: the workers' collector then leaves the
    inherited objects alone instead of walking (and so copying) the parent's whole heap on every
    collection; the workers, which make and drop objects per item, run their collector.
    """
    global _SHARED
    workers = workers or os.cpu_count() or 1
    previous, _SHARED = _SHARED, shared
    try:
        if workers == 1 or len(items) < serial_below:
            yield from func(list(items))
            return
        chunks = [list(items[i : i + chunk]) for i in range(0, len(items), chunk)]
        gc.freeze()
        try:
            with ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=gc.enable) as pool:
                for results in pool.map(func, chunks):
                    yield from results
        finally:
            gc.unfreeze()
    finally:
        _SHARED = previous
