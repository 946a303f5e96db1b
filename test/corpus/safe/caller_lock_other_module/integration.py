# Safe: setup_once() is only ever called by installer.setup_integrations(), which holds the installer lock.
_original_handler = None
_patched = False


def setup_once():
    global _original_handler, _patched
    if _patched:
        return
    _original_handler = object()
    _patched = True
