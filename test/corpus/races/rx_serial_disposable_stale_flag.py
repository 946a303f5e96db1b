# Source: ReactiveX/RxPY, commit d454a06 "Make sure `should_dispose = self.is_disposed` is read under the lock. Fixes #244"
#   (https://github.com/ReactiveX/RxPY/commit/d454a06a026714744b5c8a29c05db604910a2bf1)
# Race: the replaceable resource holder reads its disposed flag before taking its lock and decides under
#   the lock on that old answer; a dispose() in between leaves the new resource stored and never released.
# threads: the holder is shared by the producer's thread that swaps resources and the subscriber's
#   thread that disposes it.
import threading


class ReplaceableResource:
    def __init__(self):
        self.current = None
        self.is_disposed = False
        self.lock = threading.RLock()

    def replace(self, value):
        should_dispose = self.is_disposed  # race
        old = None
        with self.lock:
            if not should_dispose:
                old = self.current
                self.current = value
        if old is not None:
            old.release()
        if should_dispose and value is not None:
            value.release()

    def dispose(self):
        old = None
        with self.lock:
            if not self.is_disposed:
                self.is_disposed = True
                old = self.current
                self.current = None
        if old is not None:
            old.release()
