# Safe: the counter is read and written only under its lock (the fixed shape of forseti-security PR #3080).
import threading


class RateLimiter:
    def __init__(self, limit):
        self._lock = threading.Lock()
        self._limit = limit
        self._used = 0

    def try_acquire(self):
        with self._lock:
            if self._used >= self._limit:
                return False
            self._used += 1
            return True

    def reset(self):
        with self._lock:
            self._used = 0


LIMITER = RateLimiter(100)
threads = [threading.Thread(target=LIMITER.try_acquire) for _ in range(8)]
