# Source: zeromq/pyzmq, PR #807 "Simplify context/socket decorators" ("remove state from decorator
#   instances (removes thread safety problems)", https://github.com/zeromq/pyzmq/pull/807)
# Race: the module-level decorator object stores the arguments of each decoration on self and the
#   wrappers read them back at call time, so calls (and later decorations) see another's arguments.
# threads: functions decorated with the shared `context` object run on several threads.
# After: the decoration's arguments are locals captured by the closure; self holds only the target.
import functools


class ContextDecorator:
    def __init__(self, target):
        self.target = target

    def __call__(self, *dec_args, **dec_kwargs):
        kw_name = dec_kwargs.pop("name", None)  # fixed

        def decorator(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                with self.target(*dec_args, **dec_kwargs) as obj:  # fixed
                    if kw_name:  # fixed
                        kwargs[kw_name] = obj  # fixed
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
