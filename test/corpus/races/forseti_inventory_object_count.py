# Source: forseti-security/forseti-security, PR #3080 "Added locking before incrementing object count."
#   (https://github.com/forseti-security/forseti-security/pull/3080; "+= is not threadsafe")
# Race: the inventory crawler writes resources from a thread pool, and each write bumps a counter on
#   the shared storage object with an unlocked read-modify-write.
# threads: crawler worker threads call write() on one storage object.
import concurrent.futures


class InventoryStorage:
    def __init__(self):
        self.rows = []
        self.object_count = 0

    def write(self, resource):
        self.rows.append(resource)
        self.object_count += 1  # race


def crawl(resources, storage):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for resource in resources:
            pool.submit(storage.write, resource)
    return storage.object_count
