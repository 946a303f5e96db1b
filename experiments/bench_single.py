"""single: one thread, 80,000,000 iterations of ``x += 1`` (the single-core cost of a build)."""

import time

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"iterations": 80_000_000}
QUICK = {"iterations": 8_000_000}


def run(params):
    start = time.perf_counter()
    _ftbench.cpu_task(params["iterations"])
    return {"elapsed_s": time.perf_counter() - start}


if __name__ == "__main__":
    _ftbench.main("single", run, DEFAULTS, QUICK)
