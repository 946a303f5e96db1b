# Source: giampaolo/pyftpdlib, issue #220 "Race in _IOLoop.instance()"
#   (https://github.com/giampaolo/pyftpdlib/issues/220, fixed upstream as suggested in the report)
# Race: the None check runs before the lock is taken and is not repeated inside it, so two threads
#   both create an IOLoop and callers end up with different "global" loops.
# After: double-checked: the check is repeated once the lock is held.
import threading


class IOLoop:
    _instance = None
    _lock = threading.Lock()

    @classmethod
    def instance(cls):
        if cls._instance is None:
            cls._lock.acquire()
            try:
                if cls._instance is None:  # fixed
                    cls._instance = cls()  # fixed
            finally:
                cls._lock.release()
        return cls._instance

    def __init__(self):
        self.socket_map = {}
        self.sched = []
