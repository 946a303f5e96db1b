# Safe: the registry is filled by decorators while the module is imported (under the import lock, before
#   any thread can call dispatch) and only read afterwards.
import threading

_HANDLERS = {}


def handler(name):
    def register(func):
        _HANDLERS[name] = func
        return func

    return register


@handler("ping")
def _ping(payload):
    return "pong"


@handler("echo")
def _echo(payload):
    return payload


def dispatch(name, payload):
    return _HANDLERS[name](payload)


threads = [threading.Thread(target=dispatch, args=("ping", None)) for _ in range(4)]
