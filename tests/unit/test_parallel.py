"""ordered_map: worker processes must not change what a build computes, only how fast."""

import os

from orchestration.lib.parallel import MIN_TASKS, ordered_map


def test_results_come_back_in_task_order_from_workers_and_without():
    tasks = list(range(5 * MIN_TASKS))
    expected = [t**3 for t in tasks]
    assert list(ordered_map(pow, tasks, 2, 3)) == expected
    assert list(ordered_map(pow, tasks, 1, 3)) == expected


def test_work_really_runs_in_other_processes():
    pids = set(ordered_map(_pid, list(range(4 * MIN_TASKS)), 2))
    assert os.getpid() not in pids and len(pids) >= 1
    assert set(ordered_map(_pid, list(range(MIN_TASKS - 1)), 2)) == {os.getpid()}  # too few tasks: no workers


def _pid(_task) -> int:
    return os.getpid()
