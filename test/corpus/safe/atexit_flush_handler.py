# Safe: the atexit handler runs after the interpreter has joined non-daemon threads, and the worker
#   already stopped (signalled by the event); clearing the buffer there is not concurrent with anything.
import atexit
import threading

_buffer = []
_buffer_lock = threading.Lock()
_stop = threading.Event()


def record(event):
    with _buffer_lock:
        _buffer.append(event)


def _flush_loop():
    while not _stop.wait(1.0):
        with _buffer_lock:
            batch = list(_buffer)
            _buffer.clear()
        print(len(batch))


_worker = threading.Thread(target=_flush_loop)
_worker.start()


@atexit.register
def _shutdown():
    _stop.set()
    _worker.join()
    print(len(_buffer))
    _buffer.clear()
