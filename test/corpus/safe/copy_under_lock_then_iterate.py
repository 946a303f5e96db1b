# Safe: listeners are added and removed under the lock and notify() iterates a copy taken under it
#   (the fixed shape of caproto PR #214 and watchdog issue #544).
import threading


class Signal:
    def __init__(self):
        self._lock = threading.Lock()
        self._listeners = []

    def connect(self, listener):
        with self._lock:
            self._listeners.append(listener)

    def disconnect(self, listener):
        with self._lock:
            self._listeners.remove(listener)

    def notify(self, *args):
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(*args)


changed = Signal()
