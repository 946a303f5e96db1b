// The settings one file is checked with: the nearest pyproject.toml's `[tool.ftaudit]`, then the
// overrides (VS Code settings or CLI flags) on top, then its per-file-ignores.
//
// Layering follows ruff: an override's `select` replaces the file's selection (its `ignore` included),
// an override's `ignore` alone adds to the file's; every other key, when the override sets it,
// replaces the file's value. An unset override (undefined, an empty list, an empty string) leaves
// the file's value alone.
import * as path from 'path';
import picomatch from 'picomatch';
import type { CheckSettings } from '../analysis';
import type { ProjectConfig } from './schema';

export interface SettingsOverrides {
  select?: readonly string[];
  ignore?: readonly string[];
  perFileIgnores?: Readonly<Record<string, readonly string[]>>;
  /** What the globs of `perFileIgnores` above are relative to (e.g. the workspace folder). */
  perFileIgnoresRoot?: string;
  /** `true` turns the mode on; `false` or unset leave the file's value (VS Code cannot tell them apart). */
  assumeConcurrent?: boolean;
  targetVersion?: string;
  minConfidence?: 'low' | 'medium' | 'high';
  lockTypes?: readonly string[];
  threadEntryPoints?: readonly string[];
  extraPackages?: Readonly<Record<string, string | null>>;
}

/** A loaded project config: its values and the directory its globs are relative to. */
export interface ProjectContext {
  config: ProjectConfig;
  root: string;
  /** The requirements its pyproject.toml declares (PEP 621), for FT216. */
  requirements?: readonly string[];
}

const isSet = <T>(v: T | undefined | null): v is T =>
  v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '' && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

export function effectiveSettings(filePath: string, project: ProjectContext | null | undefined, overrides: SettingsOverrides = {}): CheckSettings {
  const file = project?.config ?? {};
  let select = file.select ?? [];
  let ignore = file.ignore ?? [];
  if (isSet(overrides.select)) {
    select = [...overrides.select];
    ignore = [...(overrides.ignore ?? [])];
  } else if (isSet(overrides.ignore)) {
    ignore = [...ignore, ...overrides.ignore];
  }

  const perFile = isSet(overrides.perFileIgnores)
    ? perFileIgnoreCodes(filePath, overrides.perFileIgnores, overrides.perFileIgnoresRoot ?? project?.root ?? path.dirname(path.resolve(filePath)))
    : file.perFileIgnores && project
      ? perFileIgnoreCodes(filePath, file.perFileIgnores, project.root)
      : [];

  const settings: CheckSettings = {
    select,
    ignore: [...new Set([...ignore, ...perFile])],
    // A boolean setting cannot tell "off" from "not set" (VS Code sends its default), so `true` turns
    // the mode on and anything else leaves the file's value.
    assumeConcurrent: overrides.assumeConcurrent === true || file.assumeConcurrent === true,
    lockTypes: [...(isSet(overrides.lockTypes) ? overrides.lockTypes : (file.lockTypes ?? []))],
    threadEntryPoints: [...(isSet(overrides.threadEntryPoints) ? overrides.threadEntryPoints : (file.threadEntryPoints ?? []))],
  };
  if (project?.requirements && project.requirements.length > 0) settings.declaredRequirements = [...project.requirements];
  // Package tables merge: the setting's entries over the file's.
  const extraPackages = { ...(file.extraPackages ?? {}), ...(overrides.extraPackages ?? {}) };
  if (Object.keys(extraPackages).length > 0) settings.extraPackages = extraPackages;
  const targetVersion = isSet(overrides.targetVersion) ? overrides.targetVersion : file.targetVersion;
  if (targetVersion) settings.targetVersion = targetVersion;
  // The editor sends its default ("low") when unset, which leaves the file's value.
  const minConfidence = overrides.minConfidence && overrides.minConfidence !== 'low' ? overrides.minConfidence : file.minConfidence;
  if (minConfidence && minConfidence !== 'low') settings.minConfidence = minConfidence;
  return settings;
}

// ---------------------------------------------------------------------------------------------
// Globs, with ruff's semantics: a pattern matches a file when it matches the file name, or when,
// taken relative to the config's directory, it matches the file's absolute path; `*` may cross `/`
// (globset's default, picomatch's `bash` mode); `!pattern` applies to the files it does not match.

interface Matcher {
  negated: boolean;
  basename: (name: string) => boolean;
  absolute: (posixPath: string) => boolean;
}

const matchers = new Map<string, Matcher>();
const GLOB_OPTIONS = { dot: true, bash: true, windows: false } as const;

const toPosix = (p: string) => p.split(path.sep).join('/');
const escapeGlob = (s: string) => s.replace(/[*?[\]{}()!+@\\]/g, '\\$&');

function matcher(root: string, raw: string): Matcher {
  const key = `${root}\0${raw}`;
  let m = matchers.get(key);
  if (!m) {
    const negated = raw.startsWith('!');
    const pattern = toPosix((negated ? raw.slice(1) : raw).trim()).replace(/^\.\//, '');
    const absolutePattern = path.isAbsolute(pattern) ? pattern : path.posix.normalize(`${escapeGlob(toPosix(path.resolve(root)))}/${pattern}`);
    m = { negated, basename: picomatch(pattern, GLOB_OPTIONS), absolute: picomatch(absolutePattern, GLOB_OPTIONS) };
    matchers.set(key, m);
  }
  return m;
}

/** Does `raw` (a glob relative to `root`, possibly `!negated`) match `filePath`? Negation not applied. */
function hits(m: Matcher, filePath: string): boolean {
  const abs = toPosix(path.resolve(filePath));
  return m.basename(path.posix.basename(abs)) || m.absolute(abs);
}

/** The rule codes a per-file-ignores table turns off for `filePath`. */
export function perFileIgnoreCodes(filePath: string, table: Readonly<Record<string, readonly string[]>>, root: string): string[] {
  const codes: string[] = [];
  for (const [pattern, list] of Object.entries(table)) {
    const m = matcher(root, pattern);
    if (hits(m, filePath) !== m.negated) codes.push(...list);
  }
  return codes;
}

/**
 * True when `filePath`, or a directory between it and `root`, matches one of `patterns`
 * (`extend-exclude`). Like ruff, this applies to files found by walking directories, not to files
 * named on the command line.
 */
export function isExcluded(filePath: string, patterns: readonly string[], root: string): boolean {
  if (patterns.length === 0) return false;
  const compiled = patterns.map((p) => matcher(root, p));
  const rootAbs = path.resolve(root);
  for (let p = path.resolve(filePath); p !== rootAbs && p.startsWith(rootAbs + path.sep); p = path.dirname(p)) {
    if (compiled.some((m) => hits(m, p))) return true;
  }
  return false;
}
