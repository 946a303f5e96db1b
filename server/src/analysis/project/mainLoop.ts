// An application's main loop: a GUI toolkit's (Tk, GTK, Qt, wx) or Twisted's reactor, run from a
// function of the run (applicationModules decides which runs are applications: an entry point starts
// the loop). Nobody imports an application to call it from threads of their own: what no thread of
// the run reaches runs on the thread that runs that loop, one thread.
//
// Read from the text, so a module the text gate skips (the one that builds the window seldom names a
// thread) still counts. A loop run at module level, or straight under `if __name__ == "__main__":`,
// is a demo or a script of a library, not the application.

const MAIN_LOOP_CALLS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /\bGtk\.main\(\s*\)/, what: 'GTK main loop' },
  { pattern: /\.run\(\s*sys\.argv\b/, what: 'GApplication main loop' },
  { pattern: /\bGLib\.MainLoop\(\s*\)\.run\(\s*\)|\bmain_?loop\.run\(\s*\)/, what: 'GLib main loop' },
  { pattern: /\.mainloop\(\s*\)/, what: 'Tk main loop' },
  { pattern: /\b(?:app|application|qapp|qt_app)\.exec_?\(\s*\)/i, what: 'Qt event loop' },
  { pattern: /\bQ(?:Gui|Core)?Application\.exec_?\(\s*\)/, what: 'Qt event loop' },
  { pattern: /(?<!\b(?:GLib|GObject))\.MainLoop\(\s*\)/, what: 'wx main loop' },
  { pattern: /\breactor\.run\(\s*\)/, what: 'Twisted reactor' },
  { pattern: /\bcurses\.wrapper\(/, what: 'curses main loop' },
];

/** Where the module runs an application's main loop from a function (`Tk main loop at line 104`), or null. */
export function mainLoopOf(text: string): string | null {
  const found = findMainLoop(text);
  return found ? `${found.what} at line ${found.line}` : null;
}

/** The function (its name) that runs the module's main loop, for `mainLoopOf`'s loop. */
export function mainLoopFunctionOf(text: string): string | null {
  return findMainLoop(text)?.fn ?? null;
}

const TARGET = /\btarget\s*=\s*([\w.]+)/g;

/** The last names of the callables the module hands to threads as `target=` (`tauon.gnome.main` → `main`). */
export function threadTargetNames(text: string): string[] {
  if (!text.includes('target')) return [];
  return [...new Set([...text.matchAll(TARGET)].map((m) => m[1].slice(m[1].lastIndexOf('.') + 1)))];
}

/** The patterns as global expressions: each scans the whole text once (a test per line cost ~10× more). */
const MAIN_LOOP_SCANS = MAIN_LOOP_CALLS.map((c) => ({ scan: new RegExp(c.pattern.source, `${c.pattern.flags}g`), what: c.what }));

function findMainLoop(text: string): { what: string; line: number; fn: string } | null {
  if (!/mainloop|MainLoop|main\(|exec|\.run\(|\.wrapper\(/.test(text)) return null;
  // The start of each line with a call, with the first pattern (in MAIN_LOOP_CALLS's order) it has.
  const candidates = new Map<number, { order: number; what: string }>();
  MAIN_LOOP_SCANS.forEach(({ scan, what }, order) => {
    scan.lastIndex = 0;
    for (let m = scan.exec(text); m; m = scan.exec(text)) {
      const lineStart = text.lastIndexOf('\n', m.index) + 1;
      const known = candidates.get(lineStart);
      if (!known || known.order > order) candidates.set(lineStart, { order, what });
    }
  });
  if (candidates.size === 0) return null;
  const lines = text.split('\n');
  for (const lineStart of [...candidates.keys()].sort((a, b) => a - b)) {
    const i = lineNumberAt(text, lineStart);
    const line = lines[i];
    if (/^\s*#/.test(line)) continue;
    const indent = /^[ \t]*/.exec(line)![0].length;
    const fn = indent > 0 ? enclosingFunction(lines, i, indent) : null;
    // `def mainloop(self): self.tk.mainloop()` hands the loop to a library's callers: no entry of its own.
    if (!fn || LOOP_WRAPPER.test(fn)) continue;
    // A loop a thread runs (`Thread(target=self._dbus_loop)` around `GLib.MainLoop().run()`) is that
    // thread's, not the application's main thread.
    if (new RegExp(`target\\s*=\\s*(?:self\\.)?${fn}\\b`).test(text)) continue;
    return { what: candidates.get(lineStart)!.what, line: i + 1, fn };
  }
  return null;
}

/** The 0-based line of an offset. */
function lineNumberAt(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** A function that only exposes the loop to its callers (`mainloop`, `run_loop`, `exec_`). */
const LOOP_WRAPPER = /^(?:main_?loop|run_?loop|loop|exec_?|MainLoop)$/i;

/** The name of the `def` line `i` (indented by `indent`) is in, or null for module-level and `if __name__ == "__main__":` code. */
function enclosingFunction(lines: readonly string[], i: number, indent: number): string | null {
  let level = indent;
  for (let j = i - 1; j >= 0; j--) {
    const line = lines[j];
    if (line.trim() === '' || /^\s*#/.test(line)) continue;
    const own = /^[ \t]*/.exec(line)![0].length;
    if (own >= level) continue;
    const def = /^\s*(?:async\s+)?def\s+(\w+)/.exec(line);
    if (def) return def[1];
    if (own === 0) return null;
    level = own;
  }
  return null;
}

/** Does the module have an `if __name__ == "__main__":` block at its top level? */
export function hasMainGuard(text: string): boolean {
  return /^if\s+(?:\(\s*)?__name__\s*==\s*['"]__main__['"]/m.test(text);
}

const IMPORTED_NAMES = /^[ \t]*(?:from[ \t]+[.\w]+[ \t]+)?import[ \t]+([^\n#;]+)/gm;

/**
 * A script's calls of a function of a module it imports (`bitmessagecurses.runwrapper()` after
 * `import bitmessagecurses`), as `module.function` with the module's last name: one of them may start
 * another module's main loop. Empty for a module with no `if __name__ == "__main__":` block.
 */
export function entryCallsOf(text: string): string[] {
  if (!hasMainGuard(text)) return [];
  const modules = new Map<string, string>();
  for (const m of text.matchAll(IMPORTED_NAMES)) {
    for (const part of m[1].replace(/[()\\]/g, ' ').split(',')) {
      const [name, as, alias] = part.trim().split(/\s+/);
      if (!name || !/^[\w.]+$/.test(name)) continue;
      const last = name.slice(name.lastIndexOf('.') + 1);
      modules.set(as === 'as' && alias ? alias : name.includes('.') ? name.split('.')[0] : last, last);
    }
  }
  if (modules.size === 0) return [];
  // Only the imported names' calls: a scan for every `a.b(` of the text cost ~3× more.
  const moduleCall = new RegExp(`(?<![\\w.])(${[...modules.keys()].join('|')})\\.(\\w+)\\s*\\(`, 'g');
  const calls = new Set<string>();
  for (const m of text.matchAll(moduleCall)) {
    const module = modules.get(m[1]);
    if (module) calls.add(`${module}.${m[2]}`);
  }
  return [...calls].sort();
}

/** What `applicationModules` needs of a module: its name and, from its text, its main loop and script block. */
export interface MainLoopFacts {
  module: string;
  mainLoop?: string;
  mainGuard?: boolean;
  /** A script's calls of imported modules' functions (`entryCallsOf`). */
  entryCalls?: string[];
  /** The function that runs the loop. */
  loopFunction?: string;
  /** The last names of what the module hands to threads as `target=`. */
  threadTargets?: string[];
}

/** A module's main-loop facts, read from its text (before any analysis: the CLI's first round; the summaries keep the same). */
export function mainLoopFacts(module: string, text: string): MainLoopFacts {
  const found = findMainLoop(text);
  const targets = threadTargetNames(text);
  const entryCalls = entryCallsOf(text);
  return {
    module,
    ...(found ? { mainLoop: `${found.what} at line ${found.line}`, loopFunction: found.fn, ...(hasMainGuard(text) ? { mainGuard: true } : {}) } : {}),
    ...(targets.length > 0 ? { threadTargets: targets } : {}),
    ...(entryCalls.length > 0 ? { entryCalls } : {}),
  };
}

/** Modules of tests, examples, demos and docs: their loops and scripts start no application. */
const NOT_AN_ENTRY = /(?:^|\.)(?:tests?|test_\w+|\w+_tests?|examples?|demos?|docs?)(?:\.|$)/;

/**
 * The modules of applications → the main loop their application runs. An application is a top-level
 * package of the run (or its modules outside any package, a script directory) one of whose modules
 * runs a main loop (`mainLoopOf`) that an entry point starts: its own `if __name__ == "__main__":`, or
 * the package's `__main__` module. A library's GUI backend that runs a loop for its callers has neither
 * (and a test's or an example's is no entry).
 */
export function applicationModules(modules: Iterable<MainLoopFacts>): Map<string, string> {
  const all = [...modules];
  const names = new Set(all.map((m) => m.module));
  const result = new Map<string, string>();
  // A package is one application (its `__init__` too); modules outside any package are a script
  // directory's, one too.
  const packages = new Set(all.filter((m) => m.module.includes('.')).map((m) => m.module.split('.')[0]));
  const top = (module: string) => (module.includes('.') || packages.has(module) ? module.split('.')[0] : '');
  const apps = new Map<string, string>();
  // A loop another module runs on a thread (`Thread(target=tauon.gnome.main)` around a D-Bus service's
  // `GLib.MainLoop().run()`) is that thread's.
  const targets = new Set(all.flatMap((m) => m.threadTargets ?? []));
  // A script that calls the loop's function (`bitmessagecurses.runwrapper()`) starts it too.
  // (A test's, an example's or a demo's script is no entry of the application.)
  const scriptCalls = new Set(all.filter((m) => !NOT_AN_ENTRY.test(m.module)).flatMap((m) => m.entryCalls ?? []));
  for (const s of all.filter((m) => m.mainLoop).sort((a, b) => (a.module < b.module ? -1 : 1))) {
    if ((s.loopFunction && targets.has(s.loopFunction)) || NOT_AN_ENTRY.test(s.module)) continue;
    const enclosing = s.module.split('.').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('.'));
    // `python -m pkg.service` runs the nearest package with a `__main__`: that package is the
    // application (a distribution of several services, each with its own `__main__`, is several).
    const entryPackage = [...enclosing].reverse().find((p) => names.has(`${p}.__main__`));
    const calledByScript = !!s.loopFunction && scriptCalls.has(`${s.module.slice(s.module.lastIndexOf('.') + 1)}.${s.loopFunction}`);
    const entry = s.mainGuard || entryPackage !== undefined || s.module.endsWith('__main__') || calledByScript;
    const root = entryPackage !== undefined ? `package:${entryPackage}` : top(s.module);
    if (entry && !apps.has(root)) apps.set(root, `${s.mainLoop} of ${s.module}`);
  }
  if (apps.size === 0) return result;
  for (const module of names) {
    const inPackage = [...apps.keys()].filter((root) => root.startsWith('package:') && (module === root.slice(8) || module.startsWith(`${root.slice(8)}.`)));
    const app = inPackage.length > 0 ? apps.get(inPackage.sort((a, b) => b.length - a.length)[0]) : apps.get(top(module));
    if (app) result.set(module, app);
  }
  return result;
}
