# The quick-fix fixture of the in-editor tests: one unguarded update of a module global, run on threads.
# The tests apply "Guard with a new lock `_counter_lock`" to a temp copy of this file.
import threading

counter = [0]


def bump():
    counter[0] += 1  # shared by every thread


if __name__ == "__main__":
    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(counter[0])
