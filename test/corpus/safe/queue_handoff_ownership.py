# Safe: each job object is built by the producer and handed over through a queue.Queue; after put()
#   the producer never touches it again, so the consumer owns it and may mutate it freely.
import queue
import threading


class Job:
    def __init__(self, payload):
        self.payload = payload
        self.attempts = 0
        self.result = None


def producer(q, payloads):
    for payload in payloads:
        job = Job(payload)
        job.attempts = 1
        q.put(job)
    q.put(None)


def consumer(q, done):
    while True:
        job = q.get()
        if job is None:
            break
        job.attempts += 1
        job.result = job.payload * 2
        done.append(job)


def run(payloads):
    q = queue.Queue()
    done = []
    t = threading.Thread(target=consumer, args=(q, done))
    t.start()
    producer(q, payloads)
    t.join()
    return done
