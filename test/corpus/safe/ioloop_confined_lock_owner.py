# Safe: a class that owns a lock, but whose instances live on one I/O-loop thread; the lock only
#   guards the hand-off of callbacks from other threads (the pattern of tornado's and pyftpdlib's loops).
# threads: add_callback() is the only method called from other threads; everything else runs on the loop.
import threading


class IOLoop:
    """Not thread-safe: every method except add_callback() must be called from the loop's thread."""

    def __init__(self):
        self._callback_lock = threading.Lock()
        self._callbacks = []
        self._handlers = {}
        self._running = False
        self._ticks = 0

    def add_callback(self, callback):
        with self._callback_lock:
            self._callbacks.append(callback)

    def add_handler(self, fd, handler):
        self._handlers[fd] = handler

    def _run_once(self):
        with self._callback_lock:
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()
        self._ticks += 1

    def start(self):
        self._running = True
        while self._running:
            self._run_once()

    def stop(self):
        self._running = False
