# Safe: fields written only in __init__ (before the object is published) and read afterwards.
import threading


class Config:
    def __init__(self, values):
        self.values = dict(values)
        self.timeout = float(self.values.get("timeout", 5))
        self.retries = int(self.values.get("retries", 3))

    def get(self, key, default=None):
        return self.values.get(key, default)


CONFIG = Config({"timeout": 2})


def worker():
    return CONFIG.timeout * CONFIG.retries


threads = [threading.Thread(target=worker) for _ in range(4)]
