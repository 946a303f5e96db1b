# Source: girder/large_image, PR #189 "Guard against LRU cache issues." (https://github.com/girder/large_image/pull/189)
# Race: the module-level tile cache is an LRU mapping used without a lock; two threads that each evict
#   the same oldest key raise KeyError and leave the cache permanently broken.
# threads: tiles are served by the web server's request threads.
# After: a module-level lock is taken around every cache access.
import threading
from collections import OrderedDict


class LRUCache:
    def __init__(self, maxsize):
        self.maxsize = maxsize
        self._data = OrderedDict()

    def __getitem__(self, key):
        value = self._data[key]
        self._data.move_to_end(key)
        return value

    def __setitem__(self, key, value):
        while len(self._data) >= self.maxsize:
            oldest = next(iter(self._data))
            del self._data[oldest]
        self._data[key] = value


tile_cache = LRUCache(1000)
tile_lock = threading.Lock()


def get_tile(source, x, y, z):
    key = (source.name, x, y, z)
    with tile_lock:
        tile = tile_cache._data.get(key)  # fixed
    if tile is not None:
        return tile
    tile = source.render(x, y, z)
    with tile_lock:
        tile_cache[key] = tile  # fixed
    return tile
