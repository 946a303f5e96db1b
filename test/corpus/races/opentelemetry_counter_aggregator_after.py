# Source: open-telemetry/opentelemetry-python, PR #439 "Make Counter and MinMaxSumCount aggregators thread safe"
#   (https://github.com/open-telemetry/opentelemetry-python/pull/439)
# Race: update() runs on user threads while take_checkpoint() runs on the export controller's thread;
#   the read-modify-write of the running sum and the swap into the checkpoint lose updates.
# threads: user threads record values; a background controller thread checkpoints the aggregator.
# After: one lock per aggregator around every access.
import threading


class CounterAggregator:
    def __init__(self):
        self.current = 0
        self.checkpoint = 0
        self._lock = threading.Lock()

    def update(self, value):
        with self._lock:
            self.current += value  # fixed

    def take_checkpoint(self):
        with self._lock:
            self.checkpoint = self.current  # fixed
            self.current = 0  # fixed

    def merge(self, other):
        with self._lock:
            self.checkpoint += other.checkpoint  # fixed
