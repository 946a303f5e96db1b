# Source: fkie/multimaster_fkie, issue #150 "RuntimeError: dictionary changed size during iteration"
#   (https://github.com/fkie/multimaster_fkie/issues/150; fix: iterate over a copy of the keys)
# Race: the periodic check on a Timer thread walks the cached error logs and deletes old entries while
#   the ROS callback threads keep adding new messages to the same dicts.
# threads: checkState() runs on a threading.Timer; log_error() on ROS callback threads.
# After: both loops iterate a list copy of the keys and delete with pop(…, None).
import time


class MasterMonitor:
    def __init__(self):
        self._printed_errors = {}

    def log_error(self, node, msg):
        self._printed_errors.setdefault(node, {})[msg] = time.time()

    def _clearup_cached_logs(self, age=300):
        now = time.time()
        for node in list(self._printed_errors.keys()):  # fixed
            msgs = self._printed_errors.get(node, {})  # fixed
            for msg in list(msgs.keys()):  # fixed
                if now - msgs.get(msg, now) > age:
                    msgs.pop(msg, None)  # fixed
            if not msgs:
                self._printed_errors.pop(node, None)  # fixed
