# Safe: a connection object documented as single-threaded; its lock protects only the close() hand-off
#   from a watchdog, and the per-request fields are owned by the one thread that uses the connection.
import threading


class Connection:
    """A connection must be used by one thread at a time (like sqlite3/DB-API connections)."""

    def __init__(self, sock):
        self._sock = sock
        self._close_lock = threading.Lock()
        self._closed = False
        self._buffer = b""
        self._last_request = None

    def request(self, payload):
        self._last_request = payload
        self._sock.sendall(payload)
        self._buffer = self._sock.recv(65536)
        return self._buffer

    def close(self):
        with self._close_lock:
            if not self._closed:
                self._closed = True
                self._sock.close()
