# Safe: functools.lru_cache's C implementation is internally synchronized; concurrent callers may both
#   compute a miss but the cache stays consistent.
import functools
import threading


@functools.lru_cache(maxsize=256)
def parse_header(value):
    return tuple(part.strip() for part in value.split(","))


threads = [threading.Thread(target=parse_header, args=("a, b",)) for _ in range(8)]
