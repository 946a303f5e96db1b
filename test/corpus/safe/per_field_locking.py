# Safe: two independent fields, each always accessed under its own lock.
import threading


class Stats:
    def __init__(self):
        self._hits_lock = threading.Lock()
        self._errors_lock = threading.Lock()
        self._hits = 0
        self._errors = []

    def hit(self):
        with self._hits_lock:
            self._hits += 1

    def error(self, exc):
        with self._errors_lock:
            self._errors.append(exc)

    def summary(self):
        with self._hits_lock:
            hits = self._hits
        with self._errors_lock:
            errors = list(self._errors)
        return hits, errors


STATS = Stats()
