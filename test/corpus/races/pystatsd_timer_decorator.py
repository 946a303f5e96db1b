# Source: jsocol/pystatsd, issue #42 "timer used as a decorator can lead to runtime errors 'Already sent
#   data'", fixed by PR #50 (https://github.com/jsocol/pystatsd/pull/50, see issue #74)
# Race: @client.timer("x") builds one Timer per decorated function and every call enters/exits that
#   same object, so one call's start time and sent flag clobber another's.
# threads: a decorated Flask view is served by concurrent request threads.
import functools
import time


class Timer:
    def __init__(self, client, stat):
        self.client = client
        self.stat = stat
        self._start_time = None
        self._sent = False
        self.ms = None

    def __call__(self, f):
        @functools.wraps(f)
        def wrapped(*args, **kwargs):
            with self:
                return f(*args, **kwargs)

        return wrapped

    def __enter__(self):
        return self.start()

    def __exit__(self, typ, value, tb):
        self.stop()

    def start(self):
        self.ms = None
        self._sent = False  # race
        self._start_time = time.perf_counter()  # race
        return self

    def stop(self):
        self.ms = 1000.0 * (time.perf_counter() - self._start_time)  # race
        if self._sent:
            raise RuntimeError("Already sent data.")
        self._sent = True  # race
        self.client.timing(self.stat, self.ms)
