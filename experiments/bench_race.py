"""race: N threads × 200,000 unguarded ``counter[0] += 1``; counts the updates that were lost."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"threads": _ftbench.cpu_threads(), "iterations": 200_000}
QUICK = {}  # already cheap: quick mode keeps the article's count


def run(params):
    threads, iterations = params["threads"], params["iterations"]
    counter = [0]

    def unsafe_inc():
        for _ in range(iterations):
            counter[0] += 1  # looks atomic, isn't: load, add, store

    elapsed = _ftbench.run_threads(threads, unsafe_inc)
    expected = threads * iterations
    actual = counter[0]
    return {
        "elapsed_s": elapsed,
        "expected": expected,
        "actual": actual,
        "lost_fraction": (expected - actual) / expected,
    }


if __name__ == "__main__":
    _ftbench.main("race", run, DEFAULTS, QUICK)
