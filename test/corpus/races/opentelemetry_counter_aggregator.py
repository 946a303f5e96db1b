# Source: open-telemetry/opentelemetry-python, PR #439 "Make Counter and MinMaxSumCount aggregators thread safe"
#   (https://github.com/open-telemetry/opentelemetry-python/pull/439)
# Race: update() runs on user threads while take_checkpoint() runs on the export controller's thread;
#   the read-modify-write of the running sum and the swap into the checkpoint lose updates.
# threads: user threads record values; a background controller thread checkpoints the aggregator.


class CounterAggregator:
    def __init__(self):
        self.current = 0
        self.checkpoint = 0

    def update(self, value):
        self.current += value  # race

    def take_checkpoint(self):
        self.checkpoint = self.current  # race
        self.current = 0  # race

    def merge(self, other):
        self.checkpoint += other.checkpoint  # race
