# Source: sunpy/sunpy, issue #8499 "`sunpy.coordinates` context managers are not thread-safe", fixed by
#   PR #8500 (https://github.com/sunpy/sunpy/pull/8500)
# Race: the context managers keep their state in module-level globals, so a `with` block on one thread
#   changes how coordinate transformations behave on every other thread, and the restore clobbers.
# threads: transformations run in dask/thread pools while another thread is inside the context manager.
from contextlib import contextmanager

_ignore_sun_motion = False


@contextmanager
def transform_with_sun_center():
    global _ignore_sun_motion
    old = _ignore_sun_motion
    _ignore_sun_motion = True  # race
    try:
        yield
    finally:
        _ignore_sun_motion = old  # race


def hgs_to_hgs(coord, obstime):
    if _ignore_sun_motion:
        return coord
    return coord.shift_to(obstime)
