"""io: 50 threads each sleeping 0.1 s (I/O waits release the GIL on every build)."""

import time

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves this folder off sys.path
import _ftbench  # noqa: E402

DEFAULTS = {"threads": 50, "sleep_s": 0.1}
QUICK = {}


def run(params):
    elapsed = _ftbench.run_threads(params["threads"], time.sleep, (params["sleep_s"],))
    return {"elapsed_s": elapsed, "ideal_s": params["sleep_s"]}


if __name__ == "__main__":
    _ftbench.main("io", run, DEFAULTS, QUICK)
