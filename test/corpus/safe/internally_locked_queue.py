# Safe: queue.Queue locks internally; put()/get_nowait() from many threads need no extra lock.
import queue
import threading

_events = queue.Queue()


def emit(event):
    _events.put(event)


def drain():
    out = []
    while True:
        try:
            out.append(_events.get_nowait())
        except queue.Empty:
            return out


def start_emitters(n):
    threads = [threading.Thread(target=emit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    return threads
