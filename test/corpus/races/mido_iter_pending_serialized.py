# Source: mido/mido, commit fb6d180 "iter_pending() was not thread safe."
#   (https://github.com/mido/mido/commit/fb6d1808961c9c0443f53d1b5568925231828952)
# Race: a decorator serialises the port's methods under the port's lock, but iter_pending() is a
#   generator: the wrapper only creates it under the lock, and the loop that pops pending messages runs
#   later, unlocked, beside receive() on another thread.
# threads: ports are documented as usable from several threads (send/receive are locked for that).
import functools
import threading
from collections import deque


def serialized(func):
    @functools.wraps(func)
    def serialized_method(self, *args, **kwargs):
        lock = getattr(self, "_lock")
        with lock:
            return func(self, *args, **kwargs)
    return serialized_method


class BaseInput:
    def __init__(self):
        self._lock = threading.RLock()
        self._messages = deque()

    def _receive(self, block=True):
        pass

    @serialized
    def iter_pending(self):
        self._receive(block=False)
        while self._messages:
            yield self._messages.popleft()  # race

    @serialized
    def receive(self, block=True):
        if self._messages:
            return self._messages.popleft()
        self._receive(block=block)
        if self._messages:
            return self._messages.popleft()
        return None
