"""shared_dict: N threads writing and reading one shared dict (per-object lock contention).

ftscalingbench method: the work once in one thread, then the same work in each of N threads at once;
speedup = N × time(1 thread) / time(N threads).
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"threads": _ftbench.cpu_threads(), "iterations": 1_000_000}
QUICK = {"iterations": 300_000}


def write_and_read(shared, iterations):
    for i in range(iterations):
        shared[i & 63] = i
        shared[(i + 1) & 63]


def run(params):
    shared = dict.fromkeys(range(64), 0)
    return _ftbench.one_vs_many(params, lambda iterations: write_and_read(shared, iterations))


if __name__ == "__main__":
    _ftbench.main("shared_dict", run, DEFAULTS, QUICK)
