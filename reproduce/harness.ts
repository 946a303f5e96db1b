// Turns a reproduction plan into a self-contained Python script: an editable top (what to import,
// what to call with which arguments, what state to read) over a fixed driver that runs the calls
// serially, then from N threads released together, and prints one JSON line comparing the two.
// The script is what users open when the plan has blockers, so the top reads as plain Python.
import type { ReproPlan } from '../server/src/analysis/reproduce/types';

export const RESULT_MARKER = 'FTAUDIT_REPRODUCE ';
export const PHASE_MARKER = 'FTAUDIT_PHASE ';

export interface HarnessOptions {
  /** Dotted module name (`pkg.mod`) and the folder to put on sys.path so that it imports. */
  moduleName: string;
  importRoot: string;
  threads: number;
  /** Calls per thread; 0 = calibrate to about `budgetSeconds` of work per thread. */
  calls: number;
  budgetSeconds?: number;
}

/** A Python string literal (JSON strings are valid Python literals for everything we emit). */
function py(value: string): string {
  return JSON.stringify(value);
}

function todo(message: string): string {
  return `raise NotImplementedError(${py(`ftaudit: ${message} — edit this function`)})`;
}

export function harnessScript(plan: ReproPlan, options: HarnessOptions): string {
  const target = plan.target;
  const blockerFor = (pattern: RegExp) => plan.blockers.find((b) => pattern.test(b));
  const instanceBody = !target || target.kind === 'function'
    ? '    return None'
    : plan.instance
      ? `    return eval(${py(plan.instance)}, vars(mod))  # ${plan.instanceWhy ?? ''}`
      : `    ${todo(blockerFor(/\(…\) needs/) ?? `build a ${target.className}`)}`;
  const callableBody = !target
    ? `    ${todo(plan.blockers[0] ?? 'name the function to race on')}`
    : target.kind === 'function'
      ? `    return getattr(mod, ${py(target.name)})`
      : `    return getattr(inst, ${py(target.name)})`;
  const argsBody = plan.argSets
    ? `    return list(eval(${py(plan.argSets)}, vars(mod)))  # ${plan.argsWhy ?? ''}`
    : `    ${todo(blockerFor(/needs/) ?? 'give the argument tuples')}`;
  const observeBody = plan.state
    ? `    return eval(${py(plan.state)}, dict(vars(mod), inst=inst))  # ${plan.stateLabel ?? ''}`
    : '    return None  # no single value to compare; results and exceptions are compared instead';
  const companionBody = plan.companion
    ? `    return eval(${py(plan.companion.callable)}, dict(vars(mod), inst=inst))  # ${plan.companion.qualname}() changes ${plan.stateLabel ?? 'the same state'}`
    : '    return None';
  const companionArgsBody = plan.companion ? `    return list(eval(${py(plan.companion.argSets)}, vars(mod)))` : '    return [()]';
  const where = `${plan.file}:${plan.line}${plan.code ? ` (${plan.code})` : ''}`;
  return `# ftaudit reproduce harness for ${where.replace(/\n/g, ' ')}
${plan.message ? `# ${plan.message.replace(/\n/g, ' ')}\n` : ''}${plan.blockers.map((b) => `# TODO: ${b.replace(/\n/g, ' ')}\n`).join('')}#
# Runs ${target ? `${target.qualname}()` : 'the racing function'} THREADS × CALLS times serially, then from THREADS threads released
# together, and compares the racing state, the results and the exceptions. Edit the four functions
# below if they do not fit, then run it with a free-threaded Python:  python3.14t ${'<this file>'}
import sys

MODULE_PATH = ${py(plan.file)}
MODULE_NAME = ${py(options.moduleName)}
IMPORT_ROOT = ${py(options.importRoot)}
THREADS = ${options.threads}
CALLS = ${options.calls}  # per thread; 0 = calibrate to about BUDGET_S seconds of work per thread
BUDGET_S = ${options.budgetSeconds ?? 0.25}
ACT_LINE = ${plan.actLine ?? 'None'}  # a line whose executions are counted (the act of a check-then-act)


def make_instance(mod):
    """The object the threads share (None for a module-level function)."""
${instanceBody}


def make_callable(mod, inst):
    """What every thread calls."""
${callableBody}


def make_args(mod):
    """Argument tuples; every thread cycles through them in the same order."""
${argsBody}


def observe(mod, inst):
    """The racing state, read before and after the calls."""
${observeBody}


def make_companion(mod, inst):
    """A function that changes the same state, called by every other thread (None: no such thread)."""
${companionBody}


def make_companion_args(mod):
    """Argument tuples for make_companion's function."""
${companionArgsBody}


# ---------------------------------------------------------------- driver (no need to edit below)
${DRIVER}`;
}

// Python 3.8+. Three fresh copies of the module: one to calibrate, one for the serial run, one for the
// threads, so every run starts from the state the module has after import.
const DRIVER = String.raw`import importlib
import importlib.util
import json
import os
import re
import threading
import time
import traceback
import types

_copies = [0]


def _phase(name):
    sys.stderr.write("${PHASE_MARKER}" + name + "\n")
    sys.stderr.flush()


def _emit(payload):
    sys.stdout.write("${RESULT_MARKER}" + json.dumps(payload, default=repr) + "\n")
    sys.stdout.flush()


def _error(kind, message):
    _emit({"error": kind, "message": message})
    sys.exit(3)


def _load():
    """A fresh copy of the module under its own name (its package, if any, is imported normally)."""
    _copies[0] += 1
    if IMPORT_ROOT not in sys.path:
        sys.path.insert(0, IMPORT_ROOT)
    package = MODULE_NAME.rpartition(".")[0]
    if package:
        importlib.import_module(package)
    spec = importlib.util.spec_from_file_location(MODULE_NAME, MODULE_PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = mod
    spec.loader.exec_module(mod)
    return mod


def _setup(what):
    _phase("import")
    try:
        mod = _load()
    except BaseException as e:
        _error("import", "importing %s failed: %s" % (MODULE_NAME, _describe(e)))
    _phase("setup")
    try:
        inst = make_instance(mod)
        fn = make_callable(mod, inst)
        args = make_args(mod)
        other = make_companion(mod, inst)
        other_args = [tuple(a) for a in make_companion_args(mod)] if other is not None else [()]
    except NotImplementedError as e:
        _error("plan", str(e))
    except BaseException as e:
        _error("setup", "setting up the %s run failed: %s" % (what, _describe(e)))
    _phase(what)
    if not args or not other_args:
        _error("setup", "make_args() or make_companion_args() returned no argument tuples")
    return mod, inst, fn, [tuple(a) for a in args], other, other_args


def _describe(e):
    text = "%s: %s" % (type(e).__name__, e)
    tb = traceback.extract_tb(e.__traceback__)
    if tb:
        text += " (%s:%s)" % (os.path.basename(tb[-1].filename), tb[-1].lineno)
    return text


def _measure(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dict):
        values = list(value.values())
        if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return sum(values)
        return len(values)
    try:
        return len(value)
    except TypeError:
        return None


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_VALUES = (int, float, complex, str, bytes, bool, type(None), tuple, frozenset, list, dict, set)


def _text(result):
    """The result's repr without memory addresses, so equal values compare equal across runs."""
    return _ADDRESS.sub(" at 0x…", repr(result))


def _call(fn, args):
    result = fn(*args)
    if isinstance(result, types.GeneratorType):
        result = list(result)
    return result


class _ActCounter:
    """Counts executions of ACT_LINE in MODULE_PATH, from every thread (sys.monitoring, else settrace)."""

    def __init__(self):
        self.counts = {}
        self.tool = None

    def _hit(self):
        key = threading.get_ident()
        self.counts[key] = self.counts.get(key, 0) + 1

    def start(self):
        self.counts = {}
        if ACT_LINE is None:
            return
        mon = getattr(sys, "monitoring", None)
        if mon is not None:
            for tool in range(5, 0, -1):
                if mon.get_tool(tool) is None:
                    self.tool = tool
                    break
        if self.tool is not None:
            mon.use_tool_id(self.tool, "ftaudit-reproduce")
            mon.restart_events()
            path = os.path.abspath(MODULE_PATH)

            def on_line(code, line):
                if line == ACT_LINE and os.path.abspath(code.co_filename) == path:
                    self._hit()
                    return None
                return mon.DISABLE

            mon.register_callback(self.tool, mon.events.LINE, on_line)
            mon.set_events(self.tool, mon.events.LINE)
            return

        path = os.path.abspath(MODULE_PATH)

        def local(frame, event, arg):
            if event == "line" and frame.f_lineno == ACT_LINE:
                self._hit()
            return local

        def tracer(frame, event, arg):
            if event == "call" and os.path.abspath(frame.f_code.co_filename) == path:
                return local
            return None

        sys.settrace(tracer)
        threading.settrace(tracer)

    def stop(self):
        if ACT_LINE is None:
            return None
        if self.tool is not None:
            mon = sys.monitoring
            mon.set_events(self.tool, 0)
            mon.register_callback(self.tool, mon.events.LINE, None)
            mon.free_tool_id(self.tool)
            self.tool = None
        else:
            sys.settrace(None)
            threading.settrace(None)
        return sum(self.counts.values())


def _exceptions(errors):
    out = {}
    for e in errors:
        name = type(e).__name__
        entry = out.setdefault(name, {"count": 0, "example": _describe(e)})
        entry["count"] += 1
    return out


def _calibrate():
    if CALLS > 0:
        return CALLS
    mod, inst, fn, args, other, other_args = _setup("calibrate")
    n = 0
    start = time.perf_counter()
    while True:
        try:
            _call(fn, args[n % len(args)])
        except BaseException as e:
            _error("call", "%s raised when called alone: %s" % (getattr(fn, "__qualname__", "the function"), _describe(e)))
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= BUDGET_S / 5 or n >= 100000:
            break
    per_call = elapsed / n
    return max(1, min(100000, int(BUDGET_S / per_call) if per_call > 0 else 100000))


def _runs_companion(thread_index, other):
    """Every other thread calls the companion (when there is one)."""
    return other is not None and thread_index % 2 == 1


def _serial(calls):
    mod, inst, fn, args, other, other_args = _setup("serial")
    counter = _ActCounter()
    before = _measure(observe(mod, inst))
    results = {}
    identities = {}  # index -> ids of the objects (not plain values) the calls returned
    keep = []  # the objects themselves, so that no id is reused
    deterministic = True
    errors = []
    counter.start()
    start = time.perf_counter()
    for t in range(THREADS):
        for i in range(calls):
            if _runs_companion(t, other):
                try:
                    _call(other, other_args[i % len(other_args)])
                except BaseException as e:
                    errors.append(e)
                continue
            index = i % len(args)
            try:
                value = _call(fn, args[index])
            except BaseException as e:
                errors.append(e)
                continue
            r = _text(value)
            if not isinstance(value, _VALUES):
                ids = identities.setdefault(index, set())
                if id(value) not in ids and len(ids) < 2:
                    ids.add(id(value))
                    keep.append(value)
            if index in results and results[index] != r:
                deterministic = False
            results.setdefault(index, r)
    seconds = time.perf_counter() - start
    acts = counter.stop()
    after = _measure(observe(mod, inst))
    if errors:
        _error("call", "%s raised when run serially: %s" % (getattr(fn, "__qualname__", "the function"), _describe(errors[0])))
    # The same object from every call (a singleton, a cache entry): the threads must see one object too.
    same_object = {index: next(iter(ids)) for index, ids in identities.items() if len(ids) == 1}
    return {
        "before": before, "after": after, "seconds": seconds, "acts": acts,
        "results": results if deterministic else None, "same_object": same_object,
    }


def _concurrent(calls, serial_results, same_object):
    mod, inst, fn, args, other, other_args = _setup("concurrent")
    counter = _ActCounter()
    before = _measure(observe(mod, inst))
    barrier = threading.Barrier(THREADS)
    errors = []
    wrong = [0]
    wrong_example = []
    merge_lock = threading.Lock()
    objects = {}  # index -> {id: object} of the objects returned where the serial run returned one

    def worker(thread_index):
        mine_errors = []
        mine_wrong = 0
        mine_objects = {}
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        if _runs_companion(thread_index, other):
            for i in range(calls):
                try:
                    _call(other, other_args[i % len(other_args)])
                except BaseException as e:
                    mine_errors.append(e)
            with merge_lock:
                errors.extend(mine_errors)
            return
        for i in range(calls):
            index = i % len(args)
            try:
                r = _call(fn, args[index])
            except BaseException as e:
                mine_errors.append(e)
                continue
            if index in same_object and not isinstance(r, _VALUES):
                mine_objects.setdefault(index, {}).setdefault(id(r), r)
            if serial_results is not None:
                text = _text(r)
                if serial_results.get(index) != text:
                    mine_wrong += 1
                    if not wrong_example:
                        wrong_example.append({"args": repr(args[index]), "expected": serial_results.get(index), "got": text})
        with merge_lock:  # the harness must not race itself
            errors.extend(mine_errors)
            wrong[0] += mine_wrong
            for index, found in mine_objects.items():
                objects.setdefault(index, {}).update(found)

    counter.start()
    threads = [threading.Thread(target=worker, args=(i,), name="ftaudit-%d" % i, daemon=True) for i in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    acts = counter.stop()
    after = _measure(observe(mod, inst))
    duplicates = sum(max(0, len(found) - 1) for found in objects.values())
    return {
        "duplicate_objects": duplicates,
        "before": before, "after": after, "seconds": seconds, "acts": acts, "errors": errors,
        "wrong": wrong[0], "wrong_example": wrong_example[0] if wrong_example else None,
    }


def main():
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    calls = _calibrate()
    serial = _serial(calls)
    conc = _concurrent(calls, serial["results"], serial["same_object"])
    out = {
        "python": sys.version.split()[0],
        "gil_enabled": bool(is_gil_enabled()) if is_gil_enabled else True,
        "threads": THREADS,
        "calls_per_thread": calls,
        "serial_seconds": serial["seconds"],
        "concurrent_seconds": conc["seconds"],
        "exceptions": _exceptions(conc["errors"]),
        "wrong_results": conc["wrong"],
        "wrong_example": conc["wrong_example"],
        "duplicate_objects": conc["duplicate_objects"],
    }
    numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (serial["before"], serial["after"], conc["before"], conc["after"]))
    if numeric:
        expected = serial["after"] - serial["before"]
        actual = conc["after"] - conc["before"]
        out["expected_change"] = expected
        out["actual_change"] = actual
        out["lost_fraction"] = (expected - actual) / expected if expected else None
    if ACT_LINE is not None:
        out["act_line"] = ACT_LINE
        out["acts_serial"] = serial["acts"]
        out["acts_concurrent"] = conc["acts"]
        out["extra_acts"] = max(0, (conc["acts"] or 0) - (serial["acts"] or 0))
    _emit(out)


if __name__ == "__main__":
    main()
`;
