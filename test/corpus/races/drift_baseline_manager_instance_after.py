# Source: mick-gsk/drift, issue #395 "BaselineManager.instance() singleton creation is not thread-safe
#   (TOCTOU race)" (https://github.com/mick-gsk/drift/issues/395, closed with a locked accessor)
# Race: two threads both see cls._instance is None and both create a manager; the loser keeps working
#   on a detached instance whose baselines nobody else sees.
# threads: the MCP server handles concurrent nudge requests in a thread pool.
# After: double-checked locking on a class-level lock.
import threading


class BaselineManager:
    _instance = None
    _instance_lock = threading.Lock()

    def __init__(self):
        self._baselines = {}

    @classmethod
    def instance(cls):
        if cls._instance is None:
            with cls._instance_lock:
                if cls._instance is None:
                    cls._instance = cls()  # fixed
        return cls._instance

    def store(self, key, baseline):
        self._baselines[key] = baseline
