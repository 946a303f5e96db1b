# Source: proxystore/proxystore, issue #604, fixed by PR #609 "Improve thread-safety in the `Store`"
#   (https://github.com/proxystore/proxystore/pull/609: "making the LRUCache thread safe")
# Race: the LRU keeps recency in a list reordered with remove()+append() and counts hits/misses with +=;
#   resolving proxies from many threads corrupts the order (ValueError) and the counters.
# threads: one Store (and its cache) is shared by threads that resolve proxies.


class LRUCache:
    def __init__(self, maxsize=16):
        self.maxsize = maxsize
        self.data = {}
        self.lru = []
        self.hits = 0
        self.misses = 0

    def get(self, key, default=None):
        if key in self.data:
            self.hits += 1  # race
            self.lru.remove(key)  # race
            self.lru.append(key)  # race
            return self.data[key]
        self.misses += 1  # race
        return default

    def set(self, key, value):
        if self.maxsize == 0:
            return
        if len(self.data) >= self.maxsize and key not in self.data:
            lru_key = self.lru.pop(0)  # race
            del self.data[lru_key]  # race
        self.data[key] = value
        if key in self.lru:
            self.lru.remove(key)  # race
        self.lru.append(key)
