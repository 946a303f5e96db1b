# Source: srand/jolt, issue #84 "RuntimeError: dictionary changed size during iteration"
#   (https://github.com/srand/jolt/issues/84); fixed by adding TaskQueue.futures_lock.
# Race: a Timer thread walks self.futures every minute to log running tasks while the scheduler
#   thread adds submitted futures and deletes completed ones.
# threads: the Timer callback runs on its own thread; submit()/wait() run on the scheduler thread.
# After: futures_lock guards the iteration and every mutation of self.futures.
import threading
from concurrent.futures import ThreadPoolExecutor, wait, FIRST_COMPLETED


class TaskQueue:
    def __init__(self):
        self.futures = {}
        self.futures_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(4)
        self._timer = threading.Timer(60, self._log_task_running_time)
        self._timer.start()

    def _log_task_running_time(self):
        with self.futures_lock:
            for future in self.futures:  # fixed
                self.futures[future].log_running_time()

    def submit(self, task):
        future = self.pool.submit(task.run)
        with self.futures_lock:
            self.futures[future] = task  # fixed
        return future

    def wait(self):
        with self.futures_lock:
            pending = list(self.futures)
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            with self.futures_lock:
                task = self.futures.pop(future)  # fixed
            return task, future.exception()
        return None, None
