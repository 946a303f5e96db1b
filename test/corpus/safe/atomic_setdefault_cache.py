# Safe: a memo where concurrent misses may compute twice but dict.setdefault publishes exactly one
#   value, so every caller returns the same object (the pattern proposed for functools, cpython#150708).
import threading

_compiled = {}


def compile_pattern(source):
    try:
        return _compiled[source]
    except KeyError:
        pass
    value = ("compiled", source)
    return _compiled.setdefault(source, value)


threads = [threading.Thread(target=compile_pattern, args=("a+",)) for _ in range(4)]
