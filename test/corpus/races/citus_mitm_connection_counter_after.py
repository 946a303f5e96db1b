# Source: citusdata/citus, PR #3381 "mitmscripts/fluent.py: use atomic increment"
#   (https://github.com/citusdata/citus/pull/3381)
# Race: each intercepted connection takes an id from a module-global integer with `+= 1`; mitmproxy
#   delivers packets on several threads, so two connections can get the same id.
# threads: tcp_message() is a mitmproxy callback run on its connection-handler threads; the command
#   thread resets the counter.
# After: ids come from next() on an itertools.count; a reset swaps in a fresh counter.
import threading
from itertools import count

connection_count = count()


def handle_recorder(command):
    global connection_count
    if command == "reset":
        connection_count = count()  # fixed


def tcp_message(flow):
    if not hasattr(flow, "connection_id"):
        flow.connection_id = next(connection_count)  # fixed
    flow.messages[-1].connection_id = flow.connection_id


def create_thread(commands):
    def listen():
        for command in commands:
            handle_recorder(command)

    threading.Thread(target=listen, daemon=True).start()
