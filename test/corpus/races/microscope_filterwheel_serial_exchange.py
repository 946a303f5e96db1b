# Source: python-microscope/microscope, commit 4f16d64 "ThorlabsFilterWheel: use RLock for sync across threads."
#   (https://github.com/python-microscope/microscope/commit/4f16d64585c829dd27831dd6b5483ccbcafd592b)
# Race: a command writes to the serial line and reads lines until its echo and result come back, with
#   no lock: two threads moving and querying the wheel at once read each other's replies.
# threads: the device object is served to remote clients by a thread-pool RPC server (not shown).
import io
import threading


class FilterWheel:
    def __init__(self, raw_serial):
        self.eol = "\r"
        self.connection = io.TextIOWrapper(raw_serial, newline=None, line_buffering=True, write_through=True)
        self.positions = int(self._send_command("pcount?"))

    def set_position(self, new_position):
        self._send_command("pos=%d" % (new_position + 1))

    def get_position(self):
        return int(self._send_command("pos?")) - 1

    def _readline(self):
        result = [None]
        while result[-1] not in ("\n", ""):
            result.append(self.connection.read())
        return "".join(result[1:])

    def _send_command(self, command):
        result = None
        self.connection.write(command + self.eol)  # race
        response = "dummy"
        while response not in [command, ""]:
            response = self._readline().strip("> \n\r")  # race
        if command.endswith("?"):
            result = self._readline().strip()  # race
        return result
