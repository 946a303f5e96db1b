# Source: open-telemetry/opentelemetry-python, PR #439 "Make Counter and MinMaxSumCount aggregators thread safe"
#   (https://github.com/open-telemetry/opentelemetry-python/pull/439)
# Race: the aggregate is rebuilt from its previous value (self.x = f(self.x)) on recording threads
#   while the controller thread swaps it out, so samples are dropped or counted twice.
# threads: user threads record values; a background controller thread checkpoints the aggregator.
from collections import namedtuple

MinMaxSumCount = namedtuple("MinMaxSumCount", "min max sum count")


class MinMaxSumCountAggregator:
    EMPTY = MinMaxSumCount(None, None, 0, 0)

    def __init__(self):
        self.current = self.EMPTY
        self.checkpoint = self.EMPTY

    @staticmethod
    def _combine(a, b):
        if a.count == 0:
            return b
        return MinMaxSumCount(min(a.min, b.min), max(a.max, b.max), a.sum + b.sum, a.count + b.count)

    def update(self, value):
        self.current = self._combine(self.current, MinMaxSumCount(value, value, value, 1))  # race

    def take_checkpoint(self):
        self.checkpoint = self.current  # race
        self.current = self.EMPTY  # race
