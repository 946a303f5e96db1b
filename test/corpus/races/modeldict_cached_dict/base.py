# Source: adamchainz/django-modeldict, issue #18 "Race condition in CachedDict.__getitem__"
#   (https://github.com/adamchainz/django-modeldict/issues/18, reported from YPlan/gargoyle#50)
# Race: __getitem__ calls _populate() (which may reset and refill self._local_cache) and then reads
#   self._local_cache again; another thread's reset in between leaves it None -> TypeError.
import time


class CachedDict:
    def __init__(self, timeout=30):
        self.timeout = timeout
        self._local_cache = None
        self._last_checked = 0

    def get_cache_data(self):
        raise NotImplementedError

    def _populate(self, reset=False):
        if reset or self._local_cache is None or time.time() - self._last_checked > self.timeout:
            self._local_cache = None  # race
            self._local_cache = self.get_cache_data()  # race
            self._last_checked = time.time()  # race

    def __getitem__(self, key):
        self._populate()
        return self._local_cache[key]  # race

    def clear_cache(self):
        self._populate(reset=True)
