# Source: rob9206/DynoAI_3, fix note ORCHESTRATOR_RACE_CONDITION_FIX.md for api/services/virtual_tuning_session.py
#   (https://github.com/rob9206/DynoAI_3/blob/main/ORCHESTRATOR_RACE_CONDITION_FIX.md)
# Race: the module-global singleton accessor checks and assigns without a lock; under concurrent
#   requests four orchestrators (each with its own sessions dict and cleanup thread) were observed.
# threads: Flask request threads call get_orchestrator().
# After: double-checked locking with a module-level lock.
import threading


class VirtualTuningOrchestrator:
    def __init__(self):
        self.sessions = {}
        threading.Thread(target=self._cleanup_loop, daemon=True).start()

    def _cleanup_loop(self):
        pass


_orchestrator = None
_orchestrator_lock = threading.Lock()


def get_orchestrator():
    global _orchestrator
    if _orchestrator is None:
        with _orchestrator_lock:
            if _orchestrator is None:
                _orchestrator = VirtualTuningOrchestrator()  # fixed
    return _orchestrator
