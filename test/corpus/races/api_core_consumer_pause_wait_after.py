# Source: googleapis/python-api-core, commit 30616fa "Fix race in 'BackgroundConsumer._thread_main'. (#8883)"
#   (https://github.com/googleapis/python-api-core/commit/30616fa719f8857b7905ab8ce1b590b55ced6b6e)
# Race: the stream's consumer thread waits on its condition once when paused, then reads the next
#   response; a pause made again between the resume's notify and the wake-up is not seen, so a paused
#   stream keeps delivering.
# threads: pause/resume are called from the caller's threads while the consumer thread runs.
# After: the wait is in a `while` loop that re-tests the pause flag.
import threading


class Consumer:
    def __init__(self, stream, on_item):
        self._stream = stream
        self._on_item = on_item
        self._paused = False
        self._wake = threading.Condition()
        self._thread = None

    def _run(self):
        while self._stream.is_open:
            with self._wake:
                while self._paused:  # fixed
                    self._wake.wait()
            self._on_item(self._stream.next_item())

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def pause(self):
        with self._wake:
            self._paused = True

    def resume(self):
        with self._wake:
            self._paused = False
            self._wake.notify_all()
