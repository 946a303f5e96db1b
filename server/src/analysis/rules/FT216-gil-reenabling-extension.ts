// FT216 — import of an extension package that (in the installed release, or in any release) does not
// support free-threading, so importing it re-enables the GIL. Docs: docs/rules/FT216.md
import type { Node } from '../parser';
import type { AnalysisOptions, Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import { namedChildren } from '../model/syntax';
import table from '../data/free-threading-packages.json';
import { requirementBelow } from '../requirements';

interface PackageInfo {
  distribution: string;
  since: string | null;
  note?: string;
}

const BUILT_IN: Readonly<Record<string, PackageInfo>> = table.packages;

/** The entry for a top-level import name: the `extraPackages` option first, then the built-in table. */
export function packageInfo(name: string, options: AnalysisOptions): PackageInfo | null {
  const extra = options.extraPackages;
  if (extra && Object.prototype.hasOwnProperty.call(extra, name)) return { distribution: name, since: extra[name] ?? null };
  return Object.prototype.hasOwnProperty.call(BUILT_IN, name) ? BUILT_IN[name] : null;
}

const BUILT_IN_NAMES = new RegExp(`\\b(?:${Object.keys(BUILT_IN).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`);

/** Text gate for analyze.ts: can this file import a package FT216 knows about? */
export function mentionsKnownPackage(text: string, options: AnalysisOptions): boolean {
  return BUILT_IN_NAMES.test(text) || Object.keys(options.extraPackages ?? {}).some((name) => text.includes(name));
}

// Per run (not per model): an editor's quick first pass and its full pass share one model.
const reported = new WeakMap<RuleContext, Set<string>>();

/** Top-level module names an import statement imports, with the node to report on. */
function importedPackages(node: Node): Array<[string, Node]> {
  if (node.type === 'import_from_statement') {
    const module = node.childForFieldName('module_name');
    if (!module || module.type === 'relative_import' || module.text.startsWith('.')) return [];
    return [[module.text.split('.')[0], module]];
  }
  const out: Array<[string, Node]> = [];
  for (const item of namedChildren(node)) {
    const name = item.type === 'aliased_import' ? item.childForFieldName('name') : item.type === 'dotted_name' ? item : null;
    if (name) out.push([name.text.split('.')[0], name]);
  }
  return out;
}

/** Inside `try:` with `except ImportError` (or ModuleNotFoundError): an optional dependency. */
function isOptionalImport(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'class_definition') return false;
    if (n.type === 'try_statement' && namedChildren(n).some((c) => c.type === 'except_clause' && /\b(ImportError|ModuleNotFoundError)\b/.test(c.text.split(':')[0]))) return true;
  }
  return false;
}

function check(node: Node, ctx: RuleContext) {
  // `if TYPE_CHECKING:` imports are for the type checker: nothing is imported at run time.
  if (ctx.model.isDeadCode(node)) return;
  let seen = reported.get(ctx);
  if (!seen) reported.set(ctx, (seen = new Set()));
  for (const [name, at] of importedPackages(node)) {
    const info = packageInfo(name, ctx.options);
    if (!info || seen.has(name)) continue;
    seen.add(name);
    const note = info.note ? ` (${info.note})` : '';
    if (info.since === null) {
      ctx.report(at, {
        severity: 'info',
        message:
          `\`${name}\` (${info.distribution}) has no release that supports free-threaded Python: on a free-threaded build, importing its extension module re-enables the GIL for the whole process (CPython warns with a RuntimeWarning), and the program's threads stop running in parallel. ` +
          `Look for a newer release or an alternative; override the GIL with \`PYTHON_GIL=0\` only after checking the extension is thread-safe.`,
      });
    } else if (!isOptionalImport(node)) {
      // Only a requirement that keeps the package below the first supporting release is evidence: an
      // installer picks the newest release otherwise (older ones have no free-threaded wheels).
      const pinned = requirementBelow(ctx.options.declaredRequirements ?? [], info.distribution, info.since);
      if (!pinned) continue;
      ctx.report(at, {
        severity: 'hint',
        message:
          `\`${name}\`: ${info.distribution} supports free-threaded Python from ${info.since}${note}, but the project requires \`${pinned}\` (pyproject.toml), which keeps it below that release. ` +
          `Older releases have no free-threaded wheels: installing one builds it from source, and its extension module re-enables the GIL when imported. ` +
          `Allow \`${info.distribution}>=${info.since}\` where the code runs on a free-threaded interpreter.`,
      });
    }
  }
}

export const FT216: Rule = {
  code: 'FT216',
  name: 'gil-reenabling-extension',
  summary: 'Import of an extension package that re-enables the GIL on free-threaded builds (or does before a known version)',
  precision: 'medium',
  visit: {
    import_statement: check,
    import_from_statement: check,
  },
};
