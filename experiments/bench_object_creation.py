"""object_creation: N threads each creating instances of one class (allocator and type refcounts).

ftscalingbench method: the work once in one thread, then the same work in each of N threads at once;
speedup = N × time(1 thread) / time(N threads).
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"threads": _ftbench.cpu_threads(), "iterations": 1_000_000}
QUICK = {"iterations": 300_000}


class Point:
    def __init__(self, x):
        self.x = x


def create_objects(iterations):
    for i in range(iterations):
        Point(i)


def run(params):
    return _ftbench.one_vs_many(params, create_objects)


if __name__ == "__main__":
    _ftbench.main("object_creation", run, DEFAULTS, QUICK)
