# Source: pytest-dev/apipkg, PR #25 "Fix race conditions for attribute creation"
#   (https://github.com/pytest-dev/apipkg/pull/25)
# Race: a lazily populated module object resolves attributes on first access: it pops the
#   __onfirstaccess__ hook and its mapping entries and setattr()s the result, so a concurrent access
#   finds the mapping entry gone before the attribute exists and gets AttributeError.
# threads: any thread may touch the API module first.
# After: attribute creation is serialized by a private module-level RLock (reentrant: resolving one
#   attribute can resolve others).
import functools
import importlib
import threading
import types

_lock = threading.RLock()


def _synchronized(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _lock:
            return func(*args, **kwargs)

    return wrapper


class ApiModule(types.ModuleType):
    def __init__(self, name, importspec):
        super().__init__(name)
        self.__map__ = dict(importspec)

    @_synchronized
    def __makeattr(self, name):
        target = None
        if "__onfirstaccess__" in self.__map__:
            target = self.__map__.pop("__onfirstaccess__")  # fixed
            importlib.import_module(target)
        try:
            modpath, attrname = self.__map__[name]
        except KeyError:
            if name in self.__dict__:
                return self.__dict__[name]
            if target is not None and name != "__onfirstaccess__":
                return getattr(self, name)
            raise AttributeError(name)
        result = getattr(importlib.import_module(modpath), attrname)
        setattr(self, name, result)  # fixed
        self.__map__.pop(name, None)  # fixed
        return result

    __getattr__ = __makeattr
