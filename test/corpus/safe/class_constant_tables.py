# Safe: class-level tables built in the class body (at import) and only read by instances afterwards.
import threading


class Codec:
    _ENCODE = {chr(c): f"%{c:02X}" for c in range(0x20)}
    _SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")

    def encode(self, text):
        return "".join(ch if ch in self._SAFE else self._ENCODE.get(ch, ch) for ch in text)


CODEC = Codec()
threads = [threading.Thread(target=CODEC.encode, args=("a b",)) for _ in range(4)]
