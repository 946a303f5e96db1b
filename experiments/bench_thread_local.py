"""thread_local: N threads reading an attribute of one threading.local() (per-thread state).

ftscalingbench method: the work once in one thread, then the same work in each of N threads at once;
speedup = N × time(1 thread) / time(N threads).
"""

import threading

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"threads": _ftbench.cpu_threads(), "iterations": 1_000_000}
QUICK = {"iterations": 300_000}

state = threading.local()


def read_local(iterations):
    local = state
    local.x = 10
    for _ in range(iterations):
        local.x
        local.x
        local.x
        local.x
        local.x


def run(params):
    return _ftbench.one_vs_many(params, read_local)


if __name__ == "__main__":
    _ftbench.main("thread_local", run, DEFAULTS, QUICK)
