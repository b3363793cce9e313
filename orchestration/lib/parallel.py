"""Ordered map over worker processes, for the CPU-bound Python parts of a build (parsing
deliveries, drawing report pages) while DuckDB work stays in the calling process.

Workers are spawned, not forked: the caller holds DuckDB connections and Dagster threads,
which a fork would copy in an unknown state. A script that calls this must guard its
entry point with ``if __name__ == "__main__"``, as Python requires for spawned workers.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_TASKS = 8  # starting a worker costs about a second of imports: not worth it for a few tasks


def ordered_map(fn: Callable[..., R], tasks: list[T], workers: int, *args) -> Iterator[R]:
    """``fn(task, *args)`` for every task, results in task order. At most four tasks per worker
    are in flight, so memory does not grow with the number of tasks."""
    if workers < 2 or len(tasks) < MIN_TASKS:
        yield from (fn(t, *args) for t in tasks)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        todo: Iterator[T] = iter(tasks)
        in_flight = deque(pool.submit(fn, t, *args) for t in islice(todo, 4 * workers))
        while in_flight:
            result = in_flight.popleft().result()
            if (t := next(todo, None)) is not None:
                in_flight.append(pool.submit(fn, t, *args))
            yield result
