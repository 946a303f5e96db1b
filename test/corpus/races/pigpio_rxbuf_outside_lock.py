# Source: joan2937/pigpio, commit dcacaec "V20"
#   (https://github.com/joan2937/pigpio/commit/dcacaec554043c0b29dac4c81d88ddd7262f7589)
# Race: a command helper sends a request and reads its fixed-size reply holding the socket's lock, then
#   releases it; the caller reads the variable-length payload after that. Another thread's command can
#   be sent and answered in between: one thread reads the other's bytes as its payload.
# threads: one `pi` object is used from the application's threads and from its notification callbacks.
import socket
import struct
import threading


class _socklock:
    def __init__(self):
        self.s = None
        self.l = threading.Lock()


def _pigpio_command(sl, cmd, p1, p2):
    sl.l.acquire()
    sl.s.send(struct.pack("IIII", cmd, p1, p2, 0))
    dummy, res = struct.unpack("12sI", sl.s.recv(16))
    sl.l.release()
    return res


class pi:
    def __init__(self, host, port):
        self.sl = _socklock()
        self.sl.s = socket.create_connection((host, port))

    def _rxbuf(self, count):
        ext = bytearray(self.sl.s.recv(count))
        while len(ext) < count:
            ext.extend(self.sl.s.recv(count - len(ext)))
        return ext

    def i2c_read_device(self, handle, count):
        bytes = _pigpio_command(self.sl, 56, handle, count)
        if bytes > 0:
            return bytes, self._rxbuf(bytes)  # race
        return bytes, ""
