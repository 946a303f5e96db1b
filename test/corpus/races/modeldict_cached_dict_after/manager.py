# Source: adamchainz/django-modeldict, issue #18 (https://github.com/adamchainz/django-modeldict/issues/18);
#   the caller side is gargoyle's SwitchManager (YPlan/gargoyle#50).
# threads: one module-level SwitchManager serves every request thread of a threaded server.
from .base import CachedDict


class SwitchManager(CachedDict):
    def __init__(self, switches):
        super().__init__()
        self._switches = switches

    def get_cache_data(self):
        return dict(self._switches)

    def is_active(self, key):
        return bool(self[key])


gargoyle = SwitchManager({"new_ui": True})
