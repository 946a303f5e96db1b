# Safe: the protocol's state is touched only by callbacks of one asyncio event loop (single thread);
#   the only cross-thread entry point uses call_soon_threadsafe.
import asyncio


class LineProtocol(asyncio.Protocol):
    def __init__(self, loop):
        self._loop = loop
        self._buffer = b""
        self._lines = []
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self._buffer += data
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            self._lines.append(line)

    def _send(self, data):
        self.transport.write(data)

    def send_from_thread(self, data):
        self._loop.call_soon_threadsafe(self._send, data)
