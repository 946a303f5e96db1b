# Source: caproto/caproto, PR #214 "FIX: Lock unanswered_searches when modifying or iterating over it."
#   (https://github.com/caproto/caproto/pull/214)
# Race: searches are added and removed under a lock, but the retry thread iterates the dict without it
#   ("dict changed size during iteration" seen in the wild).
# threads: the retry loop runs on its own thread; search()/received() run on user and command threads.
# After: the iteration also holds the search lock.
import threading
import time


class SharedBroadcaster:
    def __init__(self):
        self.unanswered_searches = {}
        self._search_lock = threading.RLock()
        threading.Thread(target=self._retry_unanswered_searches, daemon=True).start()

    def search(self, search_id, name):
        with self._search_lock:
            self.unanswered_searches[search_id] = (name, time.monotonic())

    def received_search_response(self, search_id):
        with self._search_lock:
            self.unanswered_searches.pop(search_id, None)

    def _retry_unanswered_searches(self):
        while True:
            now = time.monotonic()
            requests = []
            with self._search_lock:
                for search_id, (name, sent) in self.unanswered_searches.items():  # fixed
                    if now - sent > 1.0:
                        requests.append((search_id, name))
            self._resend(requests)
            time.sleep(0.5)

    def _resend(self, requests):
        pass
