# Source: gorakhargosh/watchdog, issue #544 "Set changed size during iteration on macOS", fixed by commit
#   8b94506c3156a3b66faef7aac9a139f603772506 (https://github.com/gorakhargosh/watchdog/issues/544)
# Race: schedule() adds emitters under the observer's lock, but start() iterates the set without it.
# threads: schedule() is called from application threads while the observer thread starts.
# After: start() iterates a copy of the set.
import threading


class BaseObserver(threading.Thread):
    def __init__(self, emitter_class):
        super().__init__(daemon=True)
        self._emitter_class = emitter_class
        self._lock = threading.RLock()
        self._emitters = set()

    def schedule(self, handler, path):
        with self._lock:
            emitter = self._emitter_class(handler, path)
            if self.is_alive():
                emitter.start()
            self._emitters.add(emitter)

    def start(self):
        for emitter in self._emitters.copy():  # fixed
            emitter.start()
        super().start()

    def run(self):
        pass
