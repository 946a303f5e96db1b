# Safe: after-fork hooks run in the child while it has a single thread, so resetting module state there
#   needs no lock (the pattern of logging, random and multiprocessing's own reset hooks).
import os
import threading

_lock = threading.Lock()
_pending = []
_pid = os.getpid()


def enqueue(item):
    with _lock:
        _pending.append(item)


def _after_fork_in_child():
    global _lock, _pending, _pid
    _lock = threading.Lock()
    _pending = []
    _pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
