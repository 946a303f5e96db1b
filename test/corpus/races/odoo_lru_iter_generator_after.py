# Source: odoo/odoo, PR #46061 "[IMP] core: rebuild LRU on OrderedDict" (https://github.com/odoo/odoo/pull/46061):
#   "the iter* methods ... are not actually thread-safe as generator functions immediately return when
#   invoked, so the @synchronized only covers the creation of the generator, not the actual iteration".
# Race: the lock discipline is broken by a read: iteration of the shared LRU happens after the lock
#   taken by the decorator has been released, while other threads insert and evict.
# threads: the registry's LRU caches are shared by all worker threads of the server.
# After: the lazy iter* methods are gone; readers get eager copies made under the lock.
import collections
import functools
import threading


def synchronized(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class LRU:
    def __init__(self, count):
        self._lock = threading.RLock()
        self.count = count
        self.d = collections.OrderedDict()

    @synchronized
    def __setitem__(self, key, value):
        self.d[key] = value
        self.d.move_to_end(key)
        if len(self.d) > self.count:
            self.d.popitem(last=False)

    @synchronized
    def items(self):
        return list(self.d.items())  # fixed

    @synchronized
    def values(self):
        return list(self.d.values())  # fixed
