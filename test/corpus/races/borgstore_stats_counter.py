# Source: borgbackup/borgstore, issue #206 "Store is not thread-safe; add internal locking", fixed by
#   PR #207 (https://github.com/borgbackup/borgstore/pull/207)
# Race: every public operation does `self._stats[...] += 1` and volume updates on a Counter shared by
#   the main thread and the new background pack-store thread.
# threads: borg's PackWriter stores packs from a worker thread while the main thread uses the Store.
import time
from collections import Counter


class Store:
    def __init__(self, backend):
        self.backend = backend
        self._stats = Counter()

    def _backend_call(self, name, *args):
        start = time.perf_counter()
        try:
            return getattr(self.backend, name)(*args)
        finally:
            self._stats[f"{name}_calls"] += 1  # race
            self._stats[f"{name}_time"] += time.perf_counter() - start  # race

    def store(self, name, value):
        self._stats["store_volume"] += len(value)  # race
        return self._backend_call("store", name, value)

    def load(self, name):
        value = self._backend_call("load", name)
        self._stats["load_volume"] += len(value)  # race
        return value
