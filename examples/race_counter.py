"""8 threads increment a shared counter: correct with the GIL, loses updates without it."""
import threading

counter = [0]
ITERATIONS = 200_000


def unsafe_inc():
    for _ in range(ITERATIONS):
        counter[0] += 1


def main():
    threads = [threading.Thread(target=unsafe_inc) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = 8 * ITERATIONS
    print(f"expected {expected}, got {counter[0]} ({1 - counter[0] / expected:.0%} lost)")


if __name__ == "__main__":
    main()
