# Source: cqlengine/cqlengine, PR #155 "fix (rare) race condition in ConnectionPool.get()"
#   (https://github.com/cqlengine/cqlengine/pull/155)
# Race: get() checks queue.empty() and then blocks on queue.get(); with one pooled connection two
#   threads both see "not empty" and the second raises queue.Empty (check-then-act on a locked queue).
# threads: model queries run on many threads sharing the module's connection pool.
import queue


class ConnectionPool:
    def __init__(self, hosts, size=4):
        self._hosts = hosts
        self._queue = queue.Queue(maxsize=size)

    def _create_connection(self):
        return {"host": self._hosts[0]}

    def get(self):
        if self._queue.empty():
            return self._create_connection()
        return self._queue.get(block=False)  # race

    def put(self, conn):
        try:
            self._queue.put(conn, block=False)
        except queue.Full:
            pass
