# Source: livekit/agents, PR #969 "Fix race in default load calc." (https://github.com/livekit/agents/pull/969)
# Race: __init__ starts the sampling thread before it assigns the lock the thread uses, so the thread
#   can run first and fail with AttributeError: '_DefaultLoadCalc' object has no attribute '_lock'.
import threading
import time


class _DefaultLoadCalc:
    def __init__(self):
        self._m_avg = 0.0
        self._cpu_monitor = lambda: 0.5
        self._thread = threading.Thread(target=self._calc_load, daemon=True, name="worker_cpu_load_monitor")
        self._thread.start()
        self._lock = threading.Lock()  # race

    def _calc_load(self):
        while True:
            sample = self._cpu_monitor()
            with self._lock:
                self._m_avg = 0.9 * self._m_avg + 0.1 * sample
            time.sleep(0.5)

    def load(self):
        with self._lock:
            return self._m_avg
