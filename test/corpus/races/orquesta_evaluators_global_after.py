# Source: StackStorm/orquesta, PR #211 "Lock global vars during initialization for thread safety"
#   (https://github.com/StackStorm/orquesta/pull/211)
# Race: the module-global evaluator table is published (set to an empty dict) before it is filled by a
#   helper, one call deep, so a concurrent caller sees it non-None but empty, and both threads fill it.
# threads: workflow conductors evaluate expressions on the engine's worker threads.
# After: the initialization runs under a module-level lock and is re-checked inside it.
import threading

_EXP_EVALUATORS = None
_EXP_EVALUATORS_LOCK = threading.Lock()


def _load_evaluators():
    global _EXP_EVALUATORS
    evaluators = {}
    for name, evaluator in (("yaql", "YAQLEvaluator"), ("jinja", "JinjaEvaluator")):
        evaluators[name] = evaluator
    _EXP_EVALUATORS = evaluators  # fixed


def get_evaluators():
    with _EXP_EVALUATORS_LOCK:
        if _EXP_EVALUATORS is None:
            _load_evaluators()  # fixed
    return _EXP_EVALUATORS


def get_evaluator(language):
    return get_evaluators()[language]
