"""A request-metrics registry as many web apps have one: shared by every worker thread."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor


class Metrics:
    def __init__(self):
        self._lock = threading.Lock()
        self.requests = 0
        self.errors = 0
        self.latency_total = 0.0

    def record(self, elapsed, ok):
        with self._lock:
            self.requests += 1
        if not ok:
            self.errors += 1
        self.latency_total += elapsed


METRICS = Metrics()
_cache_hits = 0


def handle(request_id):
    global _cache_hits
    start = time.perf_counter()
    if request_id % 3 == 0:
        _cache_hits += 1
    METRICS.record(time.perf_counter() - start, ok=request_id % 7 != 0)


def serve(n):
    with ThreadPoolExecutor(max_workers=8) as pool:
        pool.map(handle, range(n))
