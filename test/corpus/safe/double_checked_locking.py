# Safe: double-checked locking done right: the value is published by one assignment inside the lock,
#   after a re-check (the fixed shape of pyftpdlib issue #220 and similar singletons).
import threading


class Client:
    _default = None
    _default_lock = threading.Lock()

    @classmethod
    def default(cls):
        client = cls._default
        if client is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = cls()
                client = cls._default
        return client
