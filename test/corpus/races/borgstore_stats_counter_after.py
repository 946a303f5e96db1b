# Source: borgbackup/borgstore, issue #206 "Store is not thread-safe; add internal locking", fixed by
#   PR #207 (https://github.com/borgbackup/borgstore/pull/207)
# Race: every public operation does `self._stats[...] += 1` and volume updates on a Counter shared by
#   the main thread and the new background pack-store thread.
# threads: borg's PackWriter stores packs from a worker thread while the main thread uses the Store.
# After: all operations are serialized by an internal RLock created first in __init__.
import functools
import threading
import time
from collections import Counter


def _locked(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class Store:
    def __init__(self, backend):
        self._lock = threading.RLock()
        self.backend = backend
        self._stats = Counter()

    @_locked
    def _backend_call(self, name, *args):
        start = time.perf_counter()
        try:
            return getattr(self.backend, name)(*args)
        finally:
            self._stats[f"{name}_calls"] += 1  # fixed
            self._stats[f"{name}_time"] += time.perf_counter() - start  # fixed

    @_locked
    def store(self, name, value):
        self._stats["store_volume"] += len(value)  # fixed
        return self._backend_call("store", name, value)

    @_locked
    def load(self, name):
        value = self._backend_call("load", name)
        self._stats["load_volume"] += len(value)  # fixed
        return value
