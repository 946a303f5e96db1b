"""The race fixed the way the experiments article recommends: count locally, merge once under a lock."""
import threading

counter = [0]
counter_lock = threading.Lock()


def safe_inc(iterations):
    local = 0
    for _ in range(iterations):
        local += 1
    with counter_lock:
        counter[0] += local


threads = [threading.Thread(target=safe_inc, args=(200_000,)) for _ in range(8)]
