# A registry module: nothing here starts a thread; hub/workers.py changes these from its threads.
_handlers = {}
_seen = []


def names():
    return [name for name in _handlers]


def seen_count():
    total = 0
    for item in _seen:
        total += len(item)
    return total
