# Source: srand/jolt, issue #84 "RuntimeError: dictionary changed size during iteration"
#   (https://github.com/srand/jolt/issues/84); fixed by adding TaskQueue.futures_lock.
# Race: a Timer thread walks self.futures every minute to log running tasks while the scheduler
#   thread adds submitted futures and deletes completed ones.
# threads: the Timer callback runs on its own thread; submit()/wait() run on the scheduler thread.
import threading
from concurrent.futures import ThreadPoolExecutor, wait, FIRST_COMPLETED


class TaskQueue:
    def __init__(self):
        self.futures = {}
        self.pool = ThreadPoolExecutor(4)
        self._timer = threading.Timer(60, self._log_task_running_time)
        self._timer.start()

    def _log_task_running_time(self):
        for future in self.futures:  # race
            self.futures[future].log_running_time()

    def submit(self, task):
        future = self.pool.submit(task.run)
        self.futures[future] = task  # race
        return future

    def wait(self):
        done, _ = wait(list(self.futures), return_when=FIRST_COMPLETED)
        for future in done:
            task = self.futures[future]
            del self.futures[future]  # race
            return task, future.exception()
        return None, None
