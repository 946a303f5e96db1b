# Source: XuehaiPan/nvitop, commit 79914f7 (process instance cache made safe across snapshot threads)
#   (https://github.com/XuehaiPan/nvitop/commit/79914f71d4c669984cd8665bdbd2a0df50509603)
# Fixed: the lookup, the making and the insert all happen holding the cache's lock.
import threading


class HostProcess:
    INSTANCE_LOCK = threading.RLock()
    INSTANCES = {}

    def __new__(cls, pid):
        with cls.INSTANCE_LOCK:  # fixed
            try:
                instance = cls.INSTANCES[pid]
                if not instance._gone:
                    return instance
            except KeyError:
                pass

            instance = super().__new__(cls)
            instance._gone = False
            instance.pid = pid
            cls.INSTANCES[pid] = instance  # fixed
            return instance
