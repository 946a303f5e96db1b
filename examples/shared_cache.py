"""A module-level cache filled from a thread pool: two threads can both miss, both compute, and
overwrite each other's entry (check-then-act)."""
from concurrent.futures import ThreadPoolExecutor

CACHE = {}


def expensive(item):
    return sum(i * i for i in range(item % 1000))


def lookup(item):
    if item not in CACHE:
        CACHE[item] = expensive(item)
    return CACHE[item]


def main():
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lookup, range(10_000)))
    print(f"{len(results)} lookups, {len(CACHE)} cached")


if __name__ == "__main__":
    main()
