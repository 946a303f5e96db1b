# Source: python-microscope/microscope, commit 4f16d64 "ThorlabsFilterWheel: use RLock for sync across threads."
#   (https://github.com/python-microscope/microscope/commit/4f16d64585c829dd27831dd6b5483ccbcafd592b)
# Fixed: one re-entrant lock held from the write to the last line of the reply.
import io
import threading


class FilterWheel:
    def __init__(self, raw_serial):
        self.eol = "\r"
        self.connection = io.TextIOWrapper(raw_serial, newline=None, line_buffering=True, write_through=True)
        self._lock = threading.RLock()  # fixed
        self.positions = int(self._send_command("pcount?"))

    def set_position(self, new_position):
        self._send_command("pos=%d" % (new_position + 1))

    def get_position(self):
        return int(self._send_command("pos?")) - 1

    def _readline(self):
        result = [None]
        with self._lock:  # fixed
            while result[-1] not in ("\n", ""):
                result.append(self.connection.read())
        return "".join(result[1:])

    def _send_command(self, command):
        result = None
        with self._lock:  # fixed
            self.connection.write(command + self.eol)
            response = "dummy"
            while response not in [command, ""]:
                response = self._readline().strip("> \n\r")
            if command.endswith("?"):
                result = self._readline().strip()
        return result
