"""scaling: 1, 2, 4, … N threads, each doing 10,000,000 iterations; wall time and speedup per count.

Speedup at n threads = n × time(1 thread) / time(n threads): n means perfect scaling, 1 means the
threads ran one after another (the GIL).
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"threads": _ftbench.cpu_threads(), "iterations": 10_000_000}
QUICK = {"iterations": 1_000_000}


def thread_counts(max_threads):
    counts, n = [], 1
    while n < max_threads:
        counts.append(n)
        n *= 2
    return counts + [max_threads]


def run(params):
    counts = thread_counts(params["threads"])
    times = [_ftbench.run_threads(n, _ftbench.cpu_task, (params["iterations"],)) for n in counts]
    return {
        "elapsed_s": times[-1],
        "thread_counts": counts,
        "times_s": times,
        "speedups": [_ftbench.scaling_speedup(n, times[0], t) for n, t in zip(counts, times)],
    }


if __name__ == "__main__":
    _ftbench.main("scaling", run, DEFAULTS, QUICK)
