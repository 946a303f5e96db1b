# Source: ARM-software/devlib, commit 8cf4a44 "utils/android: Fix race condition in LogcatMonitor"
#   (https://github.com/ARM-software/devlib/commit/8cf4a44bd74fefa78b25bc01a508482517adf2d1)
# Fixed: the thread sets an event once the process exists, and stop() waits for it before killing it.
import threading


class LogcatMonitor(threading.Thread):
    def __init__(self, target, regexps=None):
        super().__init__()
        self.target = target
        self._started = threading.Event()  # fixed
        self._stopped = threading.Event()
        self._regexps = regexps
        self._lines = []

    def run(self):
        self.target.clear_logcat()
        logcat_cmd = "logcat"
        if self._regexps:
            logcat_cmd = '{} -e "{}"'.format(logcat_cmd, "|".join(self._regexps))
        self._logcat = self.target.background(logcat_cmd)
        self._started.set()  # fixed
        while not self._stopped.is_set():
            line = self._logcat.stdout.readline(1024)
            if line:
                self._lines.append(line)

    def stop(self):
        self._started.wait()  # fixed
        # Kill the underlying logcat process: this unblocks readline() in run().
        self.target.kill_children(self._logcat.pid)
        self._logcat.kill()
        self._stopped.set()
        self.join()
