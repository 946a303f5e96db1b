# Source: svinota/pyroute2, commit 3933596 "ndb.source: fix a potential deadlock"
#   (https://github.com/svinota/pyroute2/commit/3933596054f15ee7ffcc76b697413c90c87aaf12)
# Race: restart() holds the source's lock while it joins the receiver thread, and the receiver takes
#   that lock on every turn to check for shutdown: the receiver waits for restart(), which waits for it.
# threads: the receiver runs on its own thread; restart() is called from the database's other threads.
import threading


class Source:
    def __init__(self):
        self.lock = threading.RLock()
        self.shutdown = threading.Event()
        self.th = None

    def receiver(self):
        while True:
            with self.lock:
                if self.shutdown.is_set():
                    break
            self.poll()

    def poll(self):
        pass

    def start(self):
        with self.lock:
            self.th = threading.Thread(target=self.receiver, daemon=True)
            self.th.start()

    def restart(self):
        with self.lock:
            self.shutdown.set()
            if self.th is not None:
                self.th.join()  # race
            self.shutdown.clear()
            self.th = threading.Thread(target=self.receiver, daemon=True)
            self.th.start()
