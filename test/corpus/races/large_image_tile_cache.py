# Source: girder/large_image, PR #189 "Guard against LRU cache issues." (https://github.com/girder/large_image/pull/189)
# Race: the module-level tile cache is an LRU mapping used without a lock; two threads that each evict
#   the same oldest key raise KeyError and leave the cache permanently broken.
# threads: tiles are served by the web server's request threads.
from collections import OrderedDict


class LRUCache:
    def __init__(self, maxsize):
        self.maxsize = maxsize
        self._data = OrderedDict()

    def __getitem__(self, key):
        value = self._data[key]
        self._data.move_to_end(key)  # race
        return value

    def __setitem__(self, key, value):
        while len(self._data) >= self.maxsize:
            oldest = next(iter(self._data))  # race
            del self._data[oldest]  # race
        self._data[key] = value


tile_cache = LRUCache(1000)


def get_tile(source, x, y, z):
    key = (source.name, x, y, z)
    try:
        return tile_cache[key]
    except KeyError:
        tile = source.render(x, y, z)
        tile_cache[key] = tile
        return tile
