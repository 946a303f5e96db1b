"""A correctly locked module: every access to the shared state holds the same lock, the check and
the act happen under one acquisition, and readers get a snapshot. ftaudit reports nothing here."""
import threading
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_sessions = {}
_created = 0


def open_session(user):
    global _created
    with _lock:
        if user not in _sessions:
            _sessions[user] = {"user": user, "requests": 0}
            _created += 1
        _sessions[user]["requests"] += 1


def snapshot():
    with _lock:
        return {user: dict(session) for user, session in _sessions.items()}


def main():
    with ThreadPoolExecutor(max_workers=8) as pool:
        pool.map(open_session, [f"user{i % 50}" for i in range(10_000)])
    print(f"{_created} sessions, {sum(s['requests'] for s in snapshot().values())} requests")


if __name__ == "__main__":
    main()
