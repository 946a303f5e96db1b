# Source: wummel/linkchecker, issue #135 "RuntimeError in cache.py: deque mutated during iteration"
#   (https://github.com/wummel/linkchecker/issues/135; fixed by locking the two accesses, as proposed)
# Race: checker threads append new URLs to the shared incoming deque while another thread scans it
#   for the next URL that is not already being checked.
# threads: one consumer object is shared by all checker threads.
import collections


class Consumer:
    def __init__(self):
        self.incoming = collections.deque()
        self.in_progress = set()

    def append_url(self, url_data):
        self.incoming.append(url_data)  # race

    def incoming_get_url(self):
        for i, url_data in enumerate(self.incoming):  # race
            if url_data.cache_key not in self.in_progress:
                del self.incoming[i]  # race
                self.in_progress.add(url_data.cache_key)
                return url_data
        return None
