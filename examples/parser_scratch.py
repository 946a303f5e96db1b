"""One module-level parser shared by every worker thread. `feed()` keeps its per-call scratch
(`self.buffer`) on the shared object, so two threads feeding at once mix their lines."""
from concurrent.futures import ThreadPoolExecutor


class Parser:
    def __init__(self):
        self.buffer = []

    def feed(self, text):
        self.buffer = []
        for line in text.splitlines():
            if line.strip():
                self.buffer.append(line.strip())
        return list(self.buffer)


PARSER = Parser()


def handle(document):
    return PARSER.feed(document)


def main():
    documents = [f"a{i}\nb{i}\n\nc{i}" for i in range(1_000)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parsed = list(pool.map(handle, documents))
    print(f"{sum(len(p) for p in parsed)} lines parsed")


if __name__ == "__main__":
    main()
