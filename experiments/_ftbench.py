"""Shared helpers for the ftaudit experiments (stdlib only, Python 3.8+).

Every experiment script imports this module, declares its parameters with their defaults (the article's
figures) and their quick-mode values, does its work in a top-level ``def run(params)`` and hands the
returned dict to :func:`main`, which prints exactly one JSON line on stdout.
"""

import argparse
import json
import os
import platform
import sys
import threading
import time

MAX_DEFAULT_THREADS = 8


def cpu_threads():
    """Threads to use by default: the CPUs this process may run on, capped at 8."""
    if hasattr(os, "process_cpu_count"):  # 3.13+: honours affinity and -X cpu_count
        count = os.process_cpu_count()
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count()
    return max(1, min(count or 1, MAX_DEFAULT_THREADS))


def gil_enabled():
    """The GIL state right now: absent before 3.13 means a GIL build."""
    return bool(getattr(sys, "_is_gil_enabled", lambda: True)())


def parse_params(defaults, quick, argv=None):
    """Reads ``--quick`` and one ``--name N`` option per parameter (positive integers or floats)."""
    parser = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller iterations")
    for name, value in defaults.items():
        parser.add_argument("--" + name.replace("_", "-"), dest=name, type=type(value), default=None,
                            metavar="N", help="default %s (quick: %s)" % (value, quick.get(name, value)))
    args = parser.parse_args(argv)
    params = dict(defaults)
    if args.quick:
        params.update(quick)
    for name in defaults:
        value = getattr(args, name)
        if value is not None:
            if value <= 0:
                parser.error("--%s must be positive" % name.replace("_", "-"))
            params[name] = value
    return params, args.quick


def cpu_task(n):
    """The article's CPU-bound loop: n iterations of ``x += 1`` on a local."""
    x = 0
    for _ in range(n):
        x += 1
    return x


def run_threads(count, target, args=()):
    """Starts ``count`` threads running ``target(*args)`` behind a barrier.

    The clock starts when the barrier releases (every thread is created and waiting), and stops when
    the last thread has been joined. Returns the wall time in seconds.
    """
    barrier = threading.Barrier(count + 1)

    def worker():
        barrier.wait()
        target(*args)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def scaling_speedup(count, one_thread_s, many_threads_s):
    """Throughput gain of ``count`` threads each doing the one-thread work (ftscalingbench's figure)."""
    return count * one_thread_s / many_threads_s if many_threads_s > 0 else 0.0


def one_vs_many(params, work):
    """ftscalingbench style: time work(iterations) on one thread, then on params["threads"] at once."""
    work(1000)  # untimed warm-up: the first calls specialise the bytecode
    one = run_threads(1, work, (params["iterations"],))
    many = run_threads(params["threads"], work, (params["iterations"],))
    return {"elapsed_s": many, "one_thread_s": one, "speedup": scaling_speedup(params["threads"], one, many)}


def main(experiment, run, defaults, quick):
    """Parses the options, calls ``run(params)`` and prints its result as one JSON line."""
    params, is_quick = parse_params(defaults, quick)
    result = run(params)
    elapsed = result.pop("elapsed_s")
    line = {
        "experiment": experiment,
        "params": params,
        "quick": is_quick,
        "elapsed_s": elapsed,
        "metrics": result,
        "gil_enabled": gil_enabled(),  # read at the end: an import may have re-enabled the GIL
        "python": platform.python_version(),
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
