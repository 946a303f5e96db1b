import threading

from hub import registry


class Handler:
    def __init__(self, name):
        self.name = name

    def run(self):
        registry._handlers[self.name] = self
        registry._seen.append(self.name)


def start(names):
    for name in names:
        threading.Thread(target=Handler(name).run).start()
