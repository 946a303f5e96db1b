# Source: georgeyk/belogging, PR #7 "Fixes RuntimeError" (https://github.com/georgeyk/belogging/pull/7)
# Race: a logging filter memoizes per-logger decisions in an OrderedDict, evicting the oldest entry
#   when full; logging calls from several threads mutate it concurrently ("OrderedDict mutated during
#   iteration" / KeyError).
# threads: logging filters run on whichever thread logs.
from collections import OrderedDict


class LoggerFilter:
    def __init__(self, levels, cache_size=100):
        self._levels = levels
        self._cache = OrderedDict()
        self._cache_size = cache_size

    def filter(self, record):
        cached = self._cache.get(record.name)
        if cached is not None:
            return record.levelno >= cached
        if len(self._cache) >= self._cache_size:
            self._cache.popitem(last=False)  # race
        level = self._levels.get(record.name.split(".")[0], 0)
        self._cache[record.name] = level  # race
        return record.levelno >= level
