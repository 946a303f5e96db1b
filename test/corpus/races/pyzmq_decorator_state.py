# Source: zeromq/pyzmq, PR #807 "Simplify context/socket decorators" ("remove state from decorator
#   instances (removes thread safety problems)", https://github.com/zeromq/pyzmq/pull/807)
# Race: the module-level decorator object stores the arguments of each decoration on self and the
#   wrappers read them back at call time, so calls (and later decorations) see another's arguments.
# threads: functions decorated with the shared `context` object run on several threads.
import functools


class ContextDecorator:
    def __init__(self, target):
        self.target = target

    def __call__(self, *dec_args, **dec_kwargs):
        self.kw_name = dec_kwargs.pop("name", None)  # race
        self.dec_args = dec_args  # race
        self.dec_kwargs = dec_kwargs  # race

        def decorator(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                with self.target(*self.dec_args, **self.dec_kwargs) as obj:
                    if self.kw_name:
                        kwargs[self.kw_name] = obj
                        return func(*args, **kwargs)
                    return func(*args, obj, **kwargs)

            return wrapper

        return decorator


class Context:
    def __init__(self, io_threads=1):
        self.io_threads = io_threads

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


context = ContextDecorator(Context)
