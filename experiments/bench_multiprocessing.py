"""multiprocessing: N processes × 10,000,000 iterations (the classic GIL workaround).

The clock runs from the first ``start()`` to the last ``join()``, so process start-up is included.
"""

import multiprocessing
import time

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"processes": _ftbench.cpu_threads(), "iterations": 10_000_000}
QUICK = {"iterations": 1_000_000}


def run(params):
    procs = [multiprocessing.Process(target=_ftbench.cpu_task, args=(params["iterations"],))
             for _ in range(params["processes"])]
    start = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - start
    failed = [proc.exitcode for proc in procs if proc.exitcode != 0]
    if failed:
        raise SystemExit("multiprocessing: %d worker(s) failed, exit codes %s" % (len(failed), failed))
    return {"elapsed_s": elapsed, "start_method": multiprocessing.get_start_method()}


if __name__ == "__main__":
    _ftbench.main("multiprocessing", run, DEFAULTS, QUICK)
