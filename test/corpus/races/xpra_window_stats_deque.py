# Source: Xpra-org/xpra, issue #1402 "window_source: RuntimeError: deque mutated during iteration"
#   (https://github.com/Xpra-org/xpra/issues/1402, fixed by iterating snapshots of the deques)
# Race: get_info() runs on an info-request thread and walks the damage statistics deques while the
#   UI thread appends a record for every damage event.
# threads: do_get_info() is called from the server's "in_thread" info handler.
import collections
import time


class WindowSource:
    def __init__(self):
        self.damage_in_latency = collections.deque(maxlen=100)
        self.encoding_stats = collections.deque(maxlen=100)

    def damage(self, x, y, w, h):
        now = time.monotonic()
        self.damage_in_latency.append((now, w * h, 0.005))
        self.encoding_stats.append(("png", w * h, now))

    def get_window_info(self):
        latencies = [lat for _, _, lat in self.damage_in_latency]  # race
        pixels = sum(px for _, px, _ in self.encoding_stats)  # race
        return {"latency.avg": sum(latencies) / max(1, len(latencies)), "pixels": pixels}
