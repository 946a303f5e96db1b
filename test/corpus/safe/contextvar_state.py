# Safe: per-context state in a ContextVar (the later fix of sunpy PR #8707): each thread/task sees its
#   own value and the token restores it exactly.
import contextvars
from contextlib import contextmanager

_precision = contextvars.ContextVar("precision", default=6)


@contextmanager
def local_precision(digits):
    token = _precision.set(digits)
    try:
        yield
    finally:
        _precision.reset(token)


def fmt(x):
    return f"{x:.{_precision.get()}f}"
