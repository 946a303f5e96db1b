# Source: joan2937/pigpio, commit dcacaec "V20"
#   (https://github.com/joan2937/pigpio/commit/dcacaec554043c0b29dac4c81d88ddd7262f7589)
# Fixed: the helper can leave the lock held (`rl=False`); the caller reads the payload and then releases it.
import socket
import struct
import threading


class _socklock:
    def __init__(self):
        self.s = None
        self.l = threading.Lock()


def _pigpio_command(sl, cmd, p1, p2, rl=True):
    sl.l.acquire()
    sl.s.send(struct.pack("IIII", cmd, p1, p2, 0))
    dummy, res = struct.unpack("12sI", sl.s.recv(16))
    if rl:
        sl.l.release()  # fixed
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
        bytes = _pigpio_command(self.sl, 56, handle, count, False)  # fixed
        if bytes > 0:
            data = self._rxbuf(bytes)  # fixed
        else:
            data = ""
        self.sl.l.release()  # fixed
        return bytes, data
