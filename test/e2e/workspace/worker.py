import threading

counter = [0]
guarded = [0]
lock = threading.Lock()


def worker():
    for _ in range(1000):
        counter[0] += 1  # shared by every worker thread


def guarded_worker():
    for _ in range(1000):
        with lock:
            guarded[0] += 1  # guarded: not flagged


def local_only():
    x = 0
    for _ in range(10):
        x += 1  # a local: never flagged
    return x


if __name__ == "__main__":
    threads = [threading.Thread(target=worker) for _ in range(4)]
    threads += [threading.Thread(target=guarded_worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(counter[0], guarded[0], local_only())
