# Source: sunpy/sunpy, issue #8499 "`sunpy.coordinates` context managers are not thread-safe", fixed by
#   PR #8500 (https://github.com/sunpy/sunpy/pull/8500)
# Race: the context managers keep their state in module-level globals, so a `with` block on one thread
#   changes how coordinate transformations behave on every other thread, and the restore clobbers.
# threads: transformations run in dask/thread pools while another thread is inside the context manager.
# After: the state lives in a threading.local (PR #8707 later moved it to a ContextVar).
import threading
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def transform_with_sun_center():
    old = getattr(_state, "ignore_sun_motion", False)
    _state.ignore_sun_motion = True  # fixed
    try:
        yield
    finally:
        _state.ignore_sun_motion = old  # fixed


def hgs_to_hgs(coord, obstime):
    if getattr(_state, "ignore_sun_motion", False):
        return coord
    return coord.shift_to(obstime)
