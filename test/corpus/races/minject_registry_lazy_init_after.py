# Source: duolingo/minject, issue #8, fixed by PR #26 "Synchronize registry methods for thread safety"
#   (https://github.com/duolingo/minject/pull/26)
# Race: the registry resolves singletons lazily: a miss in self._by_meta registers and instantiates the
#   class one call deep, so concurrent lookups instantiate the same singleton twice.
# threads: one Registry is shared by the request threads of a service.
# After: the methods that touch the registry's state are synchronized on one reentrant lock.
import functools
import threading


def synchronized(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class RegistryWrapper:
    def __init__(self, obj):
        self.obj = obj


class Registry:
    def __init__(self):
        self._lock = threading.RLock()
        self._objects = []
        self._by_meta = {}

    @synchronized
    def _register_by_metadata(self, meta):
        wrapper = RegistryWrapper(meta.cls())
        self._objects.append(wrapper)
        self._by_meta[meta] = wrapper  # fixed
        return wrapper

    @synchronized
    def __getitem__(self, meta):
        if meta not in self._by_meta:
            self._register_by_metadata(meta)  # fixed
        return self._by_meta[meta].obj
