# Source: scientific-python/lazy-loader, issue #88 "Broken thread safety", fixed by PR #90 (a module-level
#   lock in load()) (https://github.com/scientific-python/lazy-loader/issues/88)
# Race: load() checks sys.modules and then installs a fresh lazy module object into it, so two threads
#   can each install their own module object for the same name (the other module's registry, across
#   modules).
# threads: libraries call lazy.load() from whatever thread first imports them.
# After: the whole check-and-install runs under a module-level lock.
import importlib.util
import sys
import threading

threadlock = threading.Lock()


def load(fullname):
    with threadlock:
        module = sys.modules.get(fullname)
        if module is not None:
            return module
        spec = importlib.util.find_spec(fullname)
        if spec is None:
            raise ModuleNotFoundError(fullname)
        module = importlib.util.module_from_spec(spec)
        sys.modules[fullname] = module  # fixed
        loader = importlib.util.LazyLoader(spec.loader)
        loader.exec_module(module)
        return module
