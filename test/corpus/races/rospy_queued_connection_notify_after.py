# Source: ros/ros_comm, commit 078292e "Prevent QueuedConnection memory/thread leak"
#   (https://github.com/ros/ros_comm/commit/078292e11abce5a23f69517b88b355d9d94040dc)
# Fixed: the cleanup callback takes the Condition's lock around the notify.
import threading
import time


class QueuedConnection(object):
    def __init__(self, connection, queue_size):
        self._connection = connection
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._cond_data_available = threading.Condition(self._lock)
        self._connection.set_cleanup_callback(self._closed_connection_callback)
        self._queue = []
        self._error = None
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _closed_connection_callback(self, connection):
        with self._lock:  # fixed
            self._cond_data_available.notify()  # fixed

    def write_data(self, data):
        with self._lock:
            if self._error:
                error = self._error
                self._error = None
                raise error
            if self._queue_size > 0 and len(self._queue) == self._queue_size:
                del self._queue[0]
            self._queue.append(data)
            self._cond_data_available.notify()
        time.sleep(0)
        return True

    def _run(self):
        while not self._connection.done:
            queue = []
            with self._lock:
                while not self._queue and not self._connection.done:
                    self._cond_data_available.wait()
                if self._queue:
                    queue = self._queue
                    self._queue = []
            for data in queue:
                try:
                    self._connection.write_data(data)
                except Exception as e:
                    with self._lock:
                        self._error = e
