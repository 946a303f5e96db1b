"""A lock taken on every iteration of a tight loop: correct, but on free-threaded Python the threads
now really contend for it, and the loop spends its time handing the lock around."""
import threading

total = 0
total_lock = threading.Lock()


def add_range(n):
    global total
    for i in range(n):
        with total_lock:
            total += i


def main():
    threads = [threading.Thread(target=add_range, args=(1_000_000,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"total {total}")


if __name__ == "__main__":
    main()
