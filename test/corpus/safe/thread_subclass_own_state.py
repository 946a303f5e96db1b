# Safe: a Thread subclass whose counters are touched only by its own run() loop; other threads read them
#   only after join().
import threading


class Pinger(threading.Thread):
    def __init__(self, host, count):
        super().__init__()
        self.host = host
        self.count = count
        self.sent = 0
        self.lost = 0

    def run(self):
        for i in range(self.count):
            self.sent += 1
            if i % 7 == 0:
                self.lost += 1


def ping(host):
    p = Pinger(host, 10)
    p.start()
    p.join()
    return p.sent, p.lost
