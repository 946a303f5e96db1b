# Source: duolingo/minject, issue #8, fixed by PR #26 "Synchronize registry methods for thread safety"
#   (https://github.com/duolingo/minject/pull/26)
# Race: the registry resolves singletons lazily: a miss in self._by_meta registers and instantiates the
#   class one call deep, so concurrent lookups instantiate the same singleton twice.
# threads: one Registry is shared by the request threads of a service.


class RegistryWrapper:
    def __init__(self, obj):
        self.obj = obj


class Registry:
    def __init__(self):
        self._objects = []
        self._by_meta = {}

    def _register_by_metadata(self, meta):
        wrapper = RegistryWrapper(meta.cls())
        self._objects.append(wrapper)
        self._by_meta[meta] = wrapper  # race
        return wrapper

    def __getitem__(self, meta):
        if meta not in self._by_meta:
            self._register_by_metadata(meta)  # race
        return self._by_meta[meta].obj
