# Safe: a WeakSet of live sessions; additions happen under the lock and the reaper iterates a list copy
#   made under the same lock.
import threading
import weakref


class SessionTracker:
    def __init__(self):
        self._lock = threading.Lock()
        self._sessions = weakref.WeakSet()

    def track(self, session):
        with self._lock:
            self._sessions.add(session)

    def close_idle(self):
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            if session.idle():
                session.close()


TRACKER = SessionTracker()
