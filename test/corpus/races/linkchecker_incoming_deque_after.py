# Source: wummel/linkchecker, issue #135 "RuntimeError in cache.py: deque mutated during iteration"
#   (https://github.com/wummel/linkchecker/issues/135; fixed by locking the two accesses, as proposed)
# Race: checker threads append new URLs to the shared incoming deque while another thread scans it
#   for the next URL that is not already being checked.
# threads: one consumer object is shared by all checker threads.
# After: one lock around the append and around the scan-and-remove.
import collections
import threading


class Consumer:
    def __init__(self):
        self.incoming = collections.deque()
        self.in_progress = set()
        self.lock = threading.Lock()

    def append_url(self, url_data):
        with self.lock:
            self.incoming.append(url_data)  # fixed

    def incoming_get_url(self):
        with self.lock:
            for i, url_data in enumerate(self.incoming):  # fixed
                if url_data.cache_key not in self.in_progress:
                    del self.incoming[i]  # fixed
                    self.in_progress.add(url_data.cache_key)
                    return url_data
        return None
