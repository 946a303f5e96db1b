# Source: mick-gsk/drift, issue #395 "BaselineManager.instance() singleton creation is not thread-safe
#   (TOCTOU race)" (https://github.com/mick-gsk/drift/issues/395, closed with a locked accessor)
# Race: two threads both see cls._instance is None and both create a manager; the loser keeps working
#   on a detached instance whose baselines nobody else sees.
# threads: the MCP server handles concurrent nudge requests in a thread pool.


class BaselineManager:
    _instance = None

    def __init__(self):
        self._baselines = {}

    @classmethod
    def instance(cls):
        if cls._instance is None:
            cls._instance = cls()  # race
        return cls._instance

    def store(self, key, baseline):
        self._baselines[key] = baseline
