# Source: DataDog/datadogpy, PR #112 "Fix thread-safety of @timed decorator", merged as PR #126
#   (https://github.com/DataDog/datadogpy/pull/126)
# Race: the decorator object is created once per decorated function and used as its own context
#   manager, so concurrent calls overwrite the start time stored on it.
# threads: the decorated function is called from several threads at once (one decorator object).
import functools
import time


class TimedContextManagerDecorator:
    def __init__(self, statsd, metric):
        self.statsd = statsd
        self.metric = metric
        self.start = None

    def __call__(self, func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return wrapped

    def __enter__(self):
        self.start = time.time()  # race
        return self

    def __exit__(self, exc_type, exc, tb):
        elapsed = time.time() - self.start  # race
        self.statsd.timing(self.metric, elapsed)
