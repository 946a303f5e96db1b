# Source: open-telemetry/opentelemetry-python, PR #1259 "addressing concurrency issue in Span API"
#   (https://github.com/open-telemetry/opentelemetry-python/pull/1259, commit 27dc691)
# Race: each mutator asks "has the span ended?" holding the span's lock, lets go of the lock, and only
#   then changes the span, so end() on another thread can finish the span in between and the change
#   lands on a span that was already handed to the exporters.
# threads: application threads set attributes and statuses while another thread ends the span.
# After: one decorator holds the lock across the check and the change.
import logging
import threading

logger = logging.getLogger(__name__)


def _unless_finished(method):
    def wrapper(self, *args, **kwargs):
        with self._lock:
            if self.end_time is not None:
                logger.warning("%s on a finished span", method.__name__)
                return
            method(self, *args, **kwargs)

    return wrapper


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

    @_unless_finished
    def set_attribute(self, key, value):
        self.attributes[key] = value  # fixed

    @_unless_finished
    def add_event(self, event):
        self.events.append(event)  # fixed

    @_unless_finished
    def update_name(self, name):
        self.name = name  # fixed

    @_unless_finished
    def set_status(self, status):
        self.status = status  # fixed

    def end(self, when):
        with self._lock:
            if self._end_time is not None:
                return
            if self.status is None:
                self.status = "ok"
            self._end_time = when
