# Safe: integrations are set up once, under the installer's module-level lock (the setup_once pattern of
#   SDK integration installers); the callee in integration.py writes its globals only under that lock.
import threading

from . import integration

_installer_lock = threading.Lock()
_installed = set()


def setup_integrations(names):
    with _installer_lock:
        for name in names:
            if name in _installed:
                continue
            integration.setup_once()
            _installed.add(name)
