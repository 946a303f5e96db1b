# Source: boxed/mutmut, issue #410 "Timeout checker fails with 'dictionary changed size during iteration'"
#   (https://github.com/boxed/mutmut/issues/410); fixed with a module-level START_TIMES_BY_PID_LOCK.
# Race: the timeout-checker thread iterates start_time_by_pid while the main loop adds a pid when it
#   forks a mutant and deletes it when the child exits.
# threads: timeout_checker() runs on a daemon thread; register_pid/register_result on the main thread.
# After: one module-level lock guards the additions, the deletions and a copy taken for iteration.
import os
import signal
import threading
from datetime import datetime

START_TIMES_BY_PID_LOCK = threading.Lock()


class SourceFileMutationData:
    def __init__(self):
        self.key_by_pid = {}
        self.start_time_by_pid = {}
        self.estimated_time_by_key = {}

    def register_pid(self, pid, key):
        self.key_by_pid[pid] = key
        with START_TIMES_BY_PID_LOCK:
            self.start_time_by_pid[pid] = datetime.now()  # fixed

    def register_result(self, pid):
        del self.key_by_pid[pid]
        with START_TIMES_BY_PID_LOCK:
            del self.start_time_by_pid[pid]  # fixed


def timeout_checker(mutants):
    def inner_timeout_checker():
        while True:
            now = datetime.now()
            for m in mutants:
                with START_TIMES_BY_PID_LOCK:
                    start_times = list(m.start_time_by_pid.items())  # fixed
                for pid, start_time in start_times:
                    if (now - start_time).total_seconds() > 30:
                        os.kill(pid, signal.SIGXCPU)
            threading.Event().wait(1)

    return inner_timeout_checker
