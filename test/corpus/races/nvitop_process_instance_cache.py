# Source: XuehaiPan/nvitop, commit 79914f7 (process instance cache made safe across snapshot threads)
#   (https://github.com/XuehaiPan/nvitop/commit/79914f71d4c669984cd8665bdbd2a0df50509603)
# Race: `__new__` looks the pid up in a class-level instance cache outside the lock and, on a miss,
#   makes and inserts a new instance holding the lock only for the insert: two snapshot threads both
#   miss, both insert, and callers end up with two objects for one process.
# threads: the UI's snapshot daemons make process objects for the same pids at once.
import threading


class HostProcess:
    INSTANCE_LOCK = threading.RLock()
    INSTANCES = {}

    def __new__(cls, pid):
        try:
            instance = cls.INSTANCES[pid]
            if not instance._gone:
                return instance
        except KeyError:
            pass

        instance = super().__new__(cls)
        with cls.INSTANCE_LOCK:
            cls.INSTANCES[pid] = instance  # race

        instance._gone = False
        instance.pid = pid
        return instance
