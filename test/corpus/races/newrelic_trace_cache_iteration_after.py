# Source: newrelic/newrelic-python-agent, PR #704 "Add TraceCache Guarded Iteration"
#   (https://github.com/newrelic/newrelic-python-agent/pull/704)
# Race: the harvest thread iterates the WeakValueDictionary of active traces while request threads
#   add and remove entries (and the GC drops dead ones): "dictionary changed size during iteration".
# threads: the trace cache is a process-wide singleton used by every request thread and the harvester.
# After: iteration goes through valuerefs(), which returns a list snapshot, and skips dead references.
import threading
import weakref


class TraceCache:
    def __init__(self):
        self._cache = weakref.WeakValueDictionary()

    def current_thread_id(self):
        return threading.get_ident()

    def save_trace(self, trace):
        self._cache[trace.thread_id] = trace

    def pop_current(self, trace):
        self._cache.pop(trace.thread_id, None)

    def active_threads(self):
        for ref in self._cache.valuerefs():  # fixed
            trace = ref()  # fixed
            if trace is not None:  # fixed
                yield trace.thread_id, trace.transaction  # fixed


_trace_cache = TraceCache()


def trace_cache():
    return _trace_cache
