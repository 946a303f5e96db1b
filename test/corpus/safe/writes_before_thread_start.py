# Safe: every field the worker reads is written before Thread.start(), which orders those writes before
#   anything the new thread does; after start the owner thread only reads results after join().
import threading


class Crawler:
    def __init__(self, urls):
        self.urls = list(urls)
        self.results = {}
        self.timeout = 10
        self._thread = None

    def start(self):
        self.timeout = 5
        self.results = {}
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self):
        for url in self.urls:
            self.results[url] = len(url) * self.timeout

    def wait(self):
        self._thread.join()
        return self.results
