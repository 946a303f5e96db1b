# Safe: each worker writes only its own, preallocated slot (a lone item store), and the caller reads the
#   list only after the executor has shut down.
from concurrent.futures import ThreadPoolExecutor


def fetch_all(urls, fetch):
    results = [None] * len(urls)

    def work(i):
        results[i] = fetch(urls[i])

    with ThreadPoolExecutor(4) as pool:
        for i in range(len(urls)):
            pool.submit(work, i)
    return results
