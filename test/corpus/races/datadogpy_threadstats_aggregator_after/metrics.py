# Source: DataDog/datadogpy, issue #365 "threadstats is not threadsafe", fixed by PR #370
#   (https://github.com/DataDog/datadogpy/pull/370)
# Race: add_point checks and fills self._metrics[interval] while flush (on the flush thread, base.py)
#   iterates its keys and pops whole intervals: KeyError and "dictionary changed size during iteration".
# After: a reentrant lock guards both the modifiers and the accesses of self._metrics.
import threading
from collections import defaultdict


class Gauge:
    def __init__(self, name, tags):
        self.name = name
        self.tags = tags
        self.value = None

    def add_point(self, value):
        self.value = value

    def flush(self, interval):
        return [(interval, self.name, self.value, self.tags)]


class MetricsAggregator:
    def __init__(self, roll_up_interval=10):
        self._lock = threading.RLock()
        self._metrics = defaultdict(dict)
        self._roll_up_interval = roll_up_interval

    def add_point(self, metric, tags, timestamp, value):
        interval = timestamp - timestamp % self._roll_up_interval
        key = (metric, tuple(sorted(tags)) if tags else None)
        with self._lock:
            if key not in self._metrics[interval]:
                self._metrics[interval][key] = Gauge(metric, tags)  # fixed
            self._metrics[interval][key].add_point(value)  # fixed

    def flush(self, timestamp):
        interval = timestamp - timestamp % self._roll_up_interval
        with self._lock:
            past_intervals = [i for i in self._metrics.keys() if i < interval]  # fixed
            metrics = []
            for i in past_intervals:
                for m in list(self._metrics.pop(i).values()):  # fixed
                    metrics += m.flush(i)
        return metrics
