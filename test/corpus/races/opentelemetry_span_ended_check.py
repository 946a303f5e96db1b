# Source: open-telemetry/opentelemetry-python, PR #1259 "addressing concurrency issue in Span API"
#   (https://github.com/open-telemetry/opentelemetry-python/pull/1259, commit 27dc691)
# Race: each mutator asks "has the span ended?" holding the span's lock, lets go of the lock, and only
#   then changes the span, so end() on another thread can finish the span in between and the change
#   lands on a span that was already handed to the exporters.
# threads: application threads set attributes and statuses while another thread ends the span.
import logging
import threading

logger = logging.getLogger(__name__)


class Span:
    def __init__(self, name):
        self._lock = threading.Lock()
        self.name = name
        self.attributes = {}
        self.events = []
        self.status = None
        self._end_time = None

    @property
    def end_time(self):
        return self._end_time

    def set_attribute(self, key, value):
        with self._lock:
            finished = self.end_time is not None
        if finished:
            logger.warning("attribute on a finished span")
            return
        with self._lock:
            self.attributes[key] = value  # race

    def add_event(self, event):
        with self._lock:
            finished = self.end_time is not None
        if finished:
            logger.warning("event on a finished span")
            return
        self.events.append(event)  # race

    def update_name(self, name):
        with self._lock:
            finished = self.end_time is not None
        if finished:
            logger.warning("renaming a finished span")
            return
        self.name = name  # race

    def set_status(self, status):
        with self._lock:
            finished = self.end_time is not None
        if finished:
            logger.warning("status on a finished span")
            return
        self.status = status  # race

    def end(self, when):
        with self._lock:
            if self._end_time is not None:
                return
            if self.status is None:
                self.status = "ok"
            self._end_time = when
