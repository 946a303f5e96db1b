# Source: tmancal74/quantarhei, issue #219 / #221, fixed by PR #307 "add threading.Lock to Singleton metaclass"
#   (https://github.com/tmancal74/quantarhei/pull/307)
# Race: two threads can both miss cls in the class-level _instances dict and both construct the
#   "singleton", running __init__ twice and discarding one instance.


class Singleton(type):
    _instances = {}

    def __call__(cls, *args, **kwargs):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args, **kwargs)  # race
        return cls._instances[cls]


class Manager(metaclass=Singleton):
    def __init__(self):
        self.units = {}
