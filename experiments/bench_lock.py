"""lock: N threads × 200,000 ``with lock: counter[0] += 1``; correct, and what the lock costs."""

import threading

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"threads": _ftbench.cpu_threads(), "iterations": 200_000}
QUICK = {"iterations": 100_000}


def run(params):
    threads, iterations = params["threads"], params["iterations"]
    lock = threading.Lock()
    counter = [0]

    def safe_inc():
        for _ in range(iterations):
            with lock:
                counter[0] += 1

    elapsed = _ftbench.run_threads(threads, safe_inc)
    expected = threads * iterations
    return {"elapsed_s": elapsed, "expected": expected, "actual": counter[0], "correct": counter[0] == expected}


if __name__ == "__main__":
    _ftbench.main("lock", run, DEFAULTS, QUICK)
