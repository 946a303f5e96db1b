# Safe: the producer writes the result and then sets the Event; the consumer reads only after wait()
#   returns, so the Event orders the write before the read.
import threading


class PendingResult:
    def __init__(self):
        self._done = threading.Event()
        self.value = None
        self.error = None

    def set_result(self, value):
        self.value = value
        self._done.set()

    def set_error(self, error):
        self.error = error
        self._done.set()

    def result(self, timeout=None):
        if not self._done.wait(timeout):
            raise TimeoutError
        if self.error is not None:
            raise self.error
        return self.value
