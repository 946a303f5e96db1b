# Source: Kaoruha/GinkGO, issue #5541 "BrokerManager singleton not thread-safe - check-then-set race
#   condition"; fixed by the maintainers with module-level initialisation (see PR #6128 discussion,
#   https://github.com/Kaoruha/GinkGO/pull/6128)
# Race: get_broker_manager() creates the module-global instance on first call without a lock.
# threads: trading engines call get_broker_manager() from several threads.


class BrokerManager:
    def __init__(self):
        self.brokers = {}

    def register(self, name, broker):
        self.brokers[name] = broker


_broker_manager = None


def get_broker_manager():
    global _broker_manager
    if _broker_manager is None:
        _broker_manager = BrokerManager()  # race
    return _broker_manager
