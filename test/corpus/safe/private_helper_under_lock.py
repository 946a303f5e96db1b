# Safe: _evict() mutates the cache but is private and only ever called by put(), which holds the lock.
import threading


class BoundedCache:
    def __init__(self, size):
        self._lock = threading.Lock()
        self._size = size
        self._data = {}
        self._order = []

    def _evict(self):
        while len(self._order) > self._size:
            oldest = self._order.pop(0)
            del self._data[oldest]

    def put(self, key, value):
        with self._lock:
            if key not in self._data:
                self._order.append(key)
            self._data[key] = value
            self._evict()

    def get(self, key):
        with self._lock:
            return self._data.get(key)


CACHE = BoundedCache(128)
