# Safe: protocol-level exclusion. While a key exchange runs, senders block on the "clear to send"
#   event and the transport holds its write lock, so the cipher state is only replaced when nobody
#   encrypts (the shape of SSH transports' re-keying).
import threading


class Transport:
    def __init__(self):
        self._write_lock = threading.Lock()
        self.clear_to_send = threading.Event()
        self.clear_to_send.set()
        self._cipher = None
        self._seq = 0

    def start_rekey(self):
        self.clear_to_send.clear()

    def finish_rekey(self, cipher):
        with self._write_lock:
            self._cipher = cipher
            self._seq = 0
        self.clear_to_send.set()

    def send(self, data, sock):
        self.clear_to_send.wait()
        with self._write_lock:
            packet = (self._seq, self._cipher, data)
            self._seq += 1
        sock.sendall(repr(packet).encode())
