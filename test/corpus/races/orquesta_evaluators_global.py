# Source: StackStorm/orquesta, PR #211 "Lock global vars during initialization for thread safety"
#   (https://github.com/StackStorm/orquesta/pull/211)
# Race: the module-global evaluator table is published (set to an empty dict) before it is filled by a
#   helper, one call deep, so a concurrent caller sees it non-None but empty, and both threads fill it.
# threads: workflow conductors evaluate expressions on the engine's worker threads.
_EXP_EVALUATORS = None


def _load_evaluators():
    global _EXP_EVALUATORS
    _EXP_EVALUATORS = {}  # race
    for name, evaluator in (("yaql", "YAQLEvaluator"), ("jinja", "JinjaEvaluator")):
        _EXP_EVALUATORS[name] = evaluator  # race


def get_evaluators():
    if _EXP_EVALUATORS is None:
        _load_evaluators()  # race
    return _EXP_EVALUATORS


def get_evaluator(language):
    return get_evaluators()[language]
