# Source: cram2/cognitive_robot_abstract_machine, PR #430 "Fix SingletonMeta thread-safety race (spurious
#   'circular dependency' error)" (https://github.com/cram2/cognitive_robot_abstract_machine/pull/430)
# Race: the check-then-create in SingletonMeta is not atomic; threads racing to build the same singleton
#   see the "being constructed" marker left by another thread and report a circular dependency.
# threads: Parallel/TryAll combinators construct the same singleton from real threads.
# After: an RLock serialises construction (reentrant so that genuine same-thread recursion still raises).
import threading

_CONSTRUCTING = object()


class SingletonMeta(type):
    _instances = {}
    _lock = threading.RLock()

    def __call__(cls, *args, **kwargs):
        with SingletonMeta._lock:
            current = cls._instances.get(cls)
            if current is _CONSTRUCTING:
                raise RuntimeError(f"circular dependency while constructing {cls.__name__}")
            if current is None:
                cls._instances[cls] = _CONSTRUCTING  # fixed
                try:
                    cls._instances[cls] = super().__call__(*args, **kwargs)  # fixed
                except BaseException:
                    del cls._instances[cls]  # fixed
                    raise
            return cls._instances[cls]
