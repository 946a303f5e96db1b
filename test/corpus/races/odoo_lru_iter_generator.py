# Source: odoo/odoo, PR #46061 "[IMP] core: rebuild LRU on OrderedDict" (https://github.com/odoo/odoo/pull/46061):
#   "the iter* methods ... are not actually thread-safe as generator functions immediately return when
#   invoked, so the @synchronized only covers the creation of the generator, not the actual iteration".
# Race: the lock discipline is broken by a read: iteration of the shared LRU happens after the lock
#   taken by the decorator has been released, while other threads insert and evict.
# threads: the registry's LRU caches are shared by all worker threads of the server.
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
        self.d = {}

    @synchronized
    def __setitem__(self, key, value):
        if len(self.d) >= self.count:
            del self.d[next(iter(self.d))]
        self.d[key] = value

    @synchronized
    def iteritems(self):
        for key in self.d:  # race
            yield key, self.d[key]

    @synchronized
    def itervalues(self):
        for value in self.d.values():  # race
            yield value
