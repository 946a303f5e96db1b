# Source: AtakamaLLC/cloudsync, commit 13c6de3 "more clear stops" (PR #304, after #303: "a race
#   condition that will cause the main thread to hang indefinitely when starting and stopping a
#   runnable in quick succession") (https://github.com/AtakamaLLC/cloudsync/commit/13c6de3dde4b37a811f84dbd291195cb96570eed)
# Fixed: the flag stop() sets is cleared in start(), before the thread starts, and run() only reads it.
import threading


class Runnable:
    __stopping = False
    __interrupt = None
    __thread = None

    def run(self, sleep=0.001):
        self.__interrupt = threading.Event()
        try:
            while not self.__stopping:  # fixed
                self.do()
                self.__interrupt.wait(sleep)
        finally:
            self.__interrupt = None
            self.__thread = None

    def do(self):
        pass

    def start(self, daemon=True):
        self.__thread = threading.Thread(target=self.run, daemon=daemon)
        self.__stopping = False  # fixed
        self.__thread.start()

    def stop(self):
        self.__stopping = True  # fixed
        if self.__interrupt is not None:
            self.__interrupt.set()
        thread = self.__thread
        if thread is not None and threading.current_thread() is not thread:
            thread.join()
