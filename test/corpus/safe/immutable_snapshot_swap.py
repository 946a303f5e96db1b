# Safe: readers use an immutable snapshot; the refresher builds a new tuple/frozenset and swaps it in with
#   one assignment, so no reader ever sees a half-built value.
import threading
import time


class RouteTable:
    def __init__(self):
        self._routes = ()
        self._blocked = frozenset()

    def refresh(self, routes, blocked):
        new_routes = tuple(sorted(routes))
        self._routes = new_routes
        self._blocked = frozenset(blocked)

    def lookup(self, prefix):
        routes = self._routes
        return [r for r in routes if r.startswith(prefix) and r not in self._blocked]


TABLE = RouteTable()


def _refresher():
    while True:
        TABLE.refresh(["/a", "/b"], ["/b"])
        time.sleep(30)


threading.Thread(target=_refresher, daemon=True).start()
