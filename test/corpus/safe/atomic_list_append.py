# Safe: list.append and list.pop are atomic on built-in lists; workers only append, the owner reads
#   after joining them.
import threading


def collect(n):
    results = []

    def work(i):
        results.append(i * i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)
