// Finds and reads the `[tool.ftaudit]` table of pyproject.toml. Never throws: an unreadable file, a
// TOML syntax error or a wrong value becomes an error with a position, and what is wrong keeps its
// default (a syntax error or an unreadable file: the whole file; a bad value: that key; an unknown
// rule code: that code).
import * as fs from 'fs';
import * as path from 'path';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { validateProjectTable, typeName, type ConfigError, type ProjectConfig } from './schema';
import { TomlLocator } from './locate';

export const PYPROJECT = 'pyproject.toml';
const TABLE = ['tool', 'ftaudit'];

// smol-toml declares one set of types for its ESM and CJS builds, so TypeScript (module node16) takes
// it for ESM only; at run time (esbuild, tsx) `require` gets its CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse, TomlError } = require('smol-toml') as typeof SmolToml;

export interface LoadedConfig {
  /** The file read (absolute). */
  path: string;
  /** Its directory: what globs in it are relative to. */
  root: string;
  /** Valid values only; a key the file does not set (or sets wrongly) is absent. */
  config: ProjectConfig;
  errors: ConfigError[];
  /** True when the file has a `[tool.ftaudit]` table. */
  hasTable: boolean;
  /**
   * The PEP 621 requirements the file declares (`[project] dependencies` and every list of
   * `[project.optional-dependencies]`), as written: what FT216 compares its version floors with.
   */
  requirements?: string[];
}

const nearestCache = new Map<string, string | null>();

/**
 * The nearest pyproject.toml at or above `target` (a file or a directory), or null. Results are cached
 * per directory for the life of the process; call clearConfigCache() when files may have appeared.
 */
export function findProjectConfig(target: string): string | null {
  let start = path.resolve(target);
  try {
    if (!fs.statSync(start).isDirectory()) start = path.dirname(start);
  } catch {
    start = path.dirname(start); // a file that does not exist (yet): look from its directory
  }
  const visited: string[] = [];
  let found: string | null = null;
  for (let dir = start; ; dir = path.dirname(dir)) {
    const cached = nearestCache.get(dir);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    visited.push(dir);
    const candidate = path.join(dir, PYPROJECT);
    if (isFile(candidate)) {
      found = candidate;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of visited) nearestCache.set(dir, found);
  return found;
}

export function clearConfigCache(): void {
  nearestCache.clear();
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads and validates one pyproject.toml (or any TOML file with a `[tool.ftaudit]` table). */
export function loadProjectConfig(pyprojectPath: string): LoadedConfig {
  const file = path.resolve(pyprojectPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return emptyConfig(file, [{ message: `cannot read the config file: ${reason}` }]);
  }
  return parseProjectConfig(text, file);
}

/** Like loadProjectConfig, for text already in memory (an unsaved editor buffer, a test). */
export function parseProjectConfig(text: string, file: string): LoadedConfig {
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const message = error.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '');
      return emptyConfig(file, [{ message: `invalid TOML: ${message}`, line: error.line, column: error.column }]);
    }
    return emptyConfig(file, [{ message: `invalid TOML: ${(error as Error).message}` }]);
  }

  const requirements = declaredRequirements(document);
  const withRequirements = (loaded: LoadedConfig): LoadedConfig => (requirements.length > 0 ? { ...loaded, requirements } : loaded);
  return withRequirements(parseToolTable(document, text, file));
}

/** `[project] dependencies` and `[project.optional-dependencies]`: strings only, anything else ignored. */
function declaredRequirements(document: Record<string, unknown>): string[] {
  const project = document.project;
  if (typeof project !== 'object' || project === null || Array.isArray(project)) return [];
  const { dependencies, 'optional-dependencies': optional } = project as Record<string, unknown>;
  const lists = [dependencies, ...(typeof optional === 'object' && optional !== null && !Array.isArray(optional) ? Object.values(optional) : [])];
  return lists.flatMap((list) => (Array.isArray(list) ? list.filter((r): r is string => typeof r === 'string') : []));
}

function parseToolTable(document: Record<string, unknown>, text: string, file: string): LoadedConfig {
  const locator = new TomlLocator(text);
  const locate = (e: ConfigError): ConfigError => {
    const at = locator.find([...TABLE, ...(e.keyPath ?? [])], e.value);
    return at ? { ...e, ...at } : e;
  };

  const tool = document.tool;
  if (tool === undefined) return emptyConfig(file, []);
  if (typeof tool !== 'object' || tool === null || Array.isArray(tool)) {
    const { keyPath: _, ...error } = locate({ keyPath: [], message: `tool: expected a table, got ${typeName(tool)}` });
    return emptyConfig(file, [error]);
  }
  const table = (tool as Record<string, unknown>).ftaudit;
  if (table === undefined) return emptyConfig(file, []);
  if (typeof table !== 'object' || table === null || Array.isArray(table) || typeName(table) !== 'a table') {
    return { ...emptyConfig(file, [locate({ keyPath: [], message: `[tool.ftaudit]: expected a table, got ${typeName(table)}` })]), hasTable: true };
  }
  const { config, issues } = validateProjectTable(table as Record<string, unknown>);
  return { path: file, root: path.dirname(file), config, errors: issues.map((i) => locate({ ...i, message: `[tool.ftaudit] ${i.message}` })), hasTable: true };
}

function emptyConfig(file: string, errors: ConfigError[]): LoadedConfig {
  return { path: file, root: path.dirname(file), config: {}, errors, hasTable: false };
}

/** `pyproject.toml:12:3: [tool.ftaudit] select: unknown rule code XY1`, the file relative to `cwd`. */
export function formatConfigError(file: string, error: ConfigError, cwd = process.cwd()): string {
  const shown = path.relative(cwd, file) || file;
  const where = error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : '';
  return `${shown}${where}: ${error.message}`;
}
