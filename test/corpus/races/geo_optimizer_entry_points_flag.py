# Source: Auriti-Labs/geo-optimizer-skill, issue #189 "CheckRegistry._loaded_entry_points not thread-safe"
#   (https://github.com/Auriti-Labs/geo-optimizer-skill/issues/189)
# Race: a class-level flag is checked and then set without a lock, so two web-server threads both
#   load the plugins and the second registration fails (and the error is swallowed).
from importlib.metadata import entry_points


class CheckRegistry:
    _checks = {}
    _loaded_entry_points = False

    @classmethod
    def register(cls, name, check):
        if name in cls._checks:
            raise ValueError(f"check {name!r} already registered")
        cls._checks[name] = check

    @classmethod
    def load_entry_points(cls):
        if cls._loaded_entry_points:
            return
        cls._loaded_entry_points = True  # race
        for ep in entry_points(group="geo_optimizer.checks"):
            try:
                cls.register(ep.name, ep.load())
            except ValueError:
                pass
