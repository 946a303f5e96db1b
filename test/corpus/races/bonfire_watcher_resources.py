# Source: RedHatInsights/bonfire, issue #232 "Dictionary changed size during iteration"
#   (https://github.com/RedHatInsights/bonfire/issues/232; fix: "copy the dict while iterating over it")
# Race: the readiness poll iterates watcher.resources while the watcher's own thread inserts the
#   resources it sees on the event stream.
import threading


class ResourceWatcher(threading.Thread):
    def __init__(self, namespace, events):
        super().__init__(daemon=True)
        self.namespace = namespace
        self.events = events
        self.resources = {}

    def run(self):
        for event in self.events:
            key = (event["kind"], event["name"])
            self.resources[key] = event["object"]


def _all_resources_ready(watcher):
    for key, resource in watcher.resources.items():  # race
        if not resource.get("ready"):
            return False
    return True


def wait_for_ready(namespace, events):
    watcher = ResourceWatcher(namespace, events)
    watcher.start()
    while not _all_resources_ready(watcher):
        threading.Event().wait(1)
