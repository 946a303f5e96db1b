# Source: litestar-org/sqlspec, issue #346 "Fix race condition in connection pool initialization",
#   fixed by PR #347 (https://github.com/litestar-org/sqlspec/pull/347)
# Race: provide_pool() creates the pool lazily with `if self.connection_instance is None`, so concurrent
#   first calls create several pools and connections get released to the wrong one.
# threads: one database config object serves all request threads.
# After: double-checked locking with a threading.Lock created in __init__.
import threading


class SyncDatabaseConfig:
    def __init__(self, pool_config):
        self.pool_config = pool_config
        self.connection_instance = None
        self._pool_lock = threading.Lock()

    def _create_pool(self):
        return {"config": dict(self.pool_config), "free": []}

    def create_pool(self):
        if self.connection_instance is not None:
            return self.connection_instance
        with self._pool_lock:
            if self.connection_instance is None:
                self.connection_instance = self._create_pool()  # fixed
            return self.connection_instance

    def provide_pool(self):
        return self.create_pool()
