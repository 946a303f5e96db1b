# Source: ets-labs/python-dependency-injector, PR #322 "Fix race in ThreadSafeSingleton"
#   (https://github.com/ets-labs/python-dependency-injector/pull/322)
# Race: the storage is checked and filled under the lock but read again after the lock is released;
#   a concurrent reset() can set it back to None in between, so provide() returns None.
# threads: a container's providers are called from many threads; reset() is called by another.
# After: double-checked locking with the value captured while the lock is held.
import threading


class ThreadSafeSingleton:
    def __init__(self, factory):
        self._factory = factory
        self._storage = None
        self._storage_lock = threading.Lock()

    def reset(self):
        self._storage = None

    def provide(self, *args, **kwargs):
        storage = self._storage  # fixed
        if storage is None:  # fixed
            with self._storage_lock:
                if self._storage is None:
                    self._storage = self._factory(*args, **kwargs)
                storage = self._storage  # fixed
        return storage  # fixed
