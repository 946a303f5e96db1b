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
    read_local(1000)  # untimed warm-up: the first calls specialise the bytecode
    one = _ftbench.run_threads(1, read_local, (params["iterations"],))
    many = _ftbench.run_threads(params["threads"], read_local, (params["iterations"],))
    return {"elapsed_s": many, "one_thread_s": one, "speedup": _ftbench.scaling_speedup(params["threads"], one, many)}


if __name__ == "__main__":
    _ftbench.main("thread_local", run, DEFAULTS, QUICK)
