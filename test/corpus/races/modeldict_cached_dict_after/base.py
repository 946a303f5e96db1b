# Source: adamchainz/django-modeldict, issue #18 "Race condition in CachedDict.__getitem__"
#   (https://github.com/adamchainz/django-modeldict/issues/18, reported from YPlan/gargoyle#50)
# Race: __getitem__ calls _populate() (which may reset and refill self._local_cache) and then reads
#   self._local_cache again; another thread's reset in between leaves it None -> TypeError.
# After: _populate() builds the new cache in a local, publishes it with one assignment and returns it;
#   readers use the returned dict instead of re-reading the attribute.
import time


class CachedDict:
    def __init__(self, timeout=30):
        self.timeout = timeout
        self._local_cache = None
        self._last_checked = 0

    def get_cache_data(self):
        raise NotImplementedError

    def _populate(self, reset=False):
        local_cache = self._local_cache  # fixed
        if reset or local_cache is None or time.time() - self._last_checked > self.timeout:
            local_cache = self.get_cache_data()  # fixed
            self._local_cache = local_cache  # fixed
            self._last_checked = time.time()  # fixed
        return local_cache  # fixed

    def __getitem__(self, key):
        return self._populate()[key]  # fixed

    def clear_cache(self):
        self._populate(reset=True)
