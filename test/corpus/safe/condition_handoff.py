# Safe: a bounded buffer where every access to the shared deque happens while holding the Condition.
import collections
import threading


class BoundedBuffer:
    def __init__(self, capacity):
        self._items = collections.deque()
        self._capacity = capacity
        self._cond = threading.Condition()

    def put(self, item):
        with self._cond:
            while len(self._items) >= self._capacity:
                self._cond.wait()
            self._items.append(item)
            self._cond.notify_all()

    def get(self):
        with self._cond:
            while not self._items:
                self._cond.wait()
            item = self._items.popleft()
            self._cond.notify_all()
            return item
