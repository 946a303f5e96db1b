# Source: DataDog/datadogpy, issue #365 "threadstats is not threadsafe", fixed by PR #370
#   (https://github.com/DataDog/datadogpy/pull/370)
# Race: the flush thread started here walks and pops the aggregator's per-interval dicts (metrics.py)
#   while application threads add points to them.
import threading
import time

from .metrics import MetricsAggregator


class ThreadStats:
    def __init__(self, roll_up_interval=10):
        self._aggregator = MetricsAggregator(roll_up_interval)
        self._stop = threading.Event()

    def start(self, flush_interval=10):
        self._flush_interval = flush_interval
        threading.Thread(target=self._flush_loop, daemon=True).start()

    def _flush_loop(self):
        while not self._stop.wait(self._flush_interval):
            self.flush()

    def flush(self):
        return self._aggregator.flush(time.time())

    def gauge(self, name, value, tags=None):
        self._aggregator.add_point(name, tags, time.time(), value)
