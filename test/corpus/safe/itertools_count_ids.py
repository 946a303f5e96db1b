# Safe: ids come from next() on an itertools.count, which hands out each value once
#   (the fixed shape of citusdata/citus PR #3381).
import itertools
import threading

_ids = itertools.count(1)


class Span:
    def __init__(self, name):
        self.name = name
        self.span_id = next(_ids)


threads = [threading.Thread(target=Span, args=("op",)) for _ in range(8)]
