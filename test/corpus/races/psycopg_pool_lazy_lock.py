# Source: psycopg/psycopg, issue #1300 "Race in the construction of the sync ConnectionPool lock trips
#   `assert not self._workers`", fixed by PR #1301 (https://github.com/psycopg/psycopg/pull/1301)
# Race: the pool's lock is created lazily on first use (attribute probe then assignment), so two
#   threads can each create and use their own lock and both start the workers.
# threads: a pool object is opened and used by several threads.
import threading


class ConnectionPool:
    def __init__(self, conninfo, num_workers=3):
        self.conninfo = conninfo
        self.num_workers = num_workers
        self._workers = []

    def _ensure_lock(self):
        try:
            self._lock
            return
        except AttributeError:
            pass
        self._lock = threading.RLock()  # race

    def open(self):
        self._ensure_lock()
        with self._lock:
            assert not self._workers
            for i in range(self.num_workers):
                t = threading.Thread(target=self._worker, daemon=True)
                self._workers.append(t)
                t.start()

    def _worker(self):
        pass
