// The `[tool.ftaudit]` keys of pyproject.toml and the `ftaudit.*` VS Code settings, described once.
// package.json `contributes.configuration`, the README tables and the validators are all checked
// against CONFIG_KEYS (test/unit/config-schema.test.ts, scripts/sync-settings.mjs).
import { unknownCodes } from '../analysis';

/** What a value must be. `glob-table` is a table of glob → list of rule codes (per-file-ignores). */
export type ValueType = 'boolean' | 'integer' | 'string' | 'string-list' | 'code-list' | 'name-list' | 'glob-list' | 'glob-table' | 'package-table' | 'version' | 'trace' | 'confidence';

export interface ConfigKey {
  /** Key in `[tool.ftaudit]`, kebab-case; null when the key is a VS Code setting only. */
  toml: string | null;
  /** Setting name after `ftaudit.`, camelCase; null when the key exists in pyproject.toml only. */
  setting: string | null;
  type: ValueType;
  /** The value when neither the file nor a setting gives one (as package.json `default`). */
  default: unknown;
  /** One sentence for the settings UI and the README. */
  description: string;
  /** package.json `scope` (default: resource, so a setting can differ per workspace folder). */
  scope?: 'window' | 'resource';
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    toml: null,
    setting: 'enable',
    type: 'boolean',
    default: true,
    description: 'Report free-threading hazards in Python files.',
  },
  {
    toml: 'select',
    setting: 'select',
    type: 'code-list',
    default: [],
    description: 'Rule codes (or prefixes such as FT1) to enable; ALL enables every rule. Empty means every default rule.',
  },
  {
    toml: 'ignore',
    setting: 'ignore',
    type: 'code-list',
    default: [],
    description: 'Rule codes (or prefixes) to disable.',
  },
  {
    toml: 'per-file-ignores',
    setting: 'perFileIgnores',
    type: 'glob-table',
    default: {},
    description:
      'Rule codes to disable in the files matching a glob, e.g. "tests/**" → ["FT1"]. Globs are relative to the directory of pyproject.toml (or the workspace folder); a glob without a slash also matches file names anywhere; "!glob" applies to the files it does not match.',
  },
  {
    toml: 'assume-concurrent',
    setting: 'assumeConcurrent',
    type: 'boolean',
    default: false,
    description: 'Treat every function as callable from several threads at once: the mode for auditing a library before it declares free-threading support.',
  },
  {
    toml: 'target-version',
    setting: 'targetVersion',
    type: 'version',
    default: '',
    description: 'Python version the code targets, as ruff spells it ("py313", "py314") or "3.14". Empty: not set.',
  },
  {
    toml: 'lock-types',
    setting: 'lockTypes',
    type: 'name-list',
    default: [],
    description: 'Extra callables that construct a lock, as dotted names (e.g. "mypkg.sync.SpinLock").',
  },
  {
    toml: 'thread-entry-points',
    setting: 'threadEntryPoints',
    type: 'name-list',
    default: [],
    description: 'Extra functions whose callable argument runs on another thread, as dotted names (e.g. "mypkg.spawn").',
  },
  {
    toml: 'extra-packages',
    setting: 'extraPackages',
    type: 'package-table',
    default: {},
    description:
      'Additions to FT216\'s table of extension packages: import name → the first release with free-threading support (e.g. "1.4.0"), or false when no release supports it yet. An entry overrides the built-in one.',
  },
  {
    toml: 'extend-exclude',
    setting: null,
    type: 'glob-list',
    default: [],
    description: 'Globs (relative to the directory of pyproject.toml) of files and directories `ftaudit check` skips when it walks a directory.',
  },
  {
    toml: 'min-confidence',
    setting: 'minConfidence',
    type: 'confidence',
    default: 'low',
    description:
      'Report only findings whose evidence is at least this strong: "low" reports everything (under assume-concurrent, state that is racy only if its object is shared), "medium" leaves out what only assume-concurrent suggests, "high" keeps code a thread entry reaches.',
  },
  {
    toml: null,
    setting: 'maxAnalysisSize',
    type: 'integer',
    default: 1_000_000,
    description:
      'Size in bytes (UTF-8) above which an open file is not parsed or analysed, so a huge or generated file cannot slow the editor down; the file gets one information diagnostic saying so. 0 means no limit.',
  },
  {
    toml: null,
    setting: 'trace.server',
    type: 'trace',
    default: 'off',
    scope: 'window',
    description: 'Trace the communication between VS Code and the ftaudit language server.',
  },
];

/** The `[tool.ftaudit]` values after validation, camelCase; a key is absent when the file does not set it. */
export interface ProjectConfig {
  select?: string[];
  ignore?: string[];
  perFileIgnores?: Record<string, string[]>;
  assumeConcurrent?: boolean;
  targetVersion?: string;
  minConfidence?: 'low' | 'medium' | 'high';
  lockTypes?: string[];
  threadEntryPoints?: string[];
  extendExclude?: string[];
  extraPackages?: Record<string, string | null>;
}

/** A problem in a config file; line and column are 1-based (column counts characters). */
export interface ConfigError {
  message: string;
  line?: number;
  column?: number;
  /** Where in `[tool.ftaudit]` the problem is (e.g. ['select'] or ['per-file-ignores', 'tests/*']). */
  keyPath?: string[];
  /** For a bad element of a list: the offending string, to point at it. */
  value?: string;
}

export const TOML_KEYS: readonly ConfigKey[] = CONFIG_KEYS.filter((k) => k.toml !== null);
export const SETTING_KEYS: readonly ConfigKey[] = CONFIG_KEYS.filter((k) => k.setting !== null);

export const camelCase = (kebab: string): string => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

// ---------------------------------------------------------------------------------------------
// Values

const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const VERSION = /^(?:py3(\d{1,2})|3\.(\d{1,2}))$/;

/** "py314" / "3.14" → "3.14"; undefined when it is not a Python 3 version ruff would accept (3.7+). */
export function normalizeTargetVersion(text: string): string | undefined {
  const m = VERSION.exec(text.trim().toLowerCase());
  if (!m) return undefined;
  const minor = Number(m[1] ?? m[2]);
  return minor >= 7 ? `3.${minor}` : undefined;
}

export const normalizeCode = (code: string): string => code.trim().toUpperCase();

/** A name for a TOML (or JSON) value's type in messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a float';
    case 'bigint':
      return 'an integer';
    case 'object':
      return value instanceof Date || value.constructor?.name === 'TomlDate' ? 'a date-time' : 'a table';
    default:
      return typeof value;
  }
}

const EXPECTED: Record<ValueType, string> = {
  boolean: 'a boolean (true or false)',
  integer: 'a non-negative integer',
  string: 'a string',
  'string-list': 'an array of strings',
  'code-list': 'an array of rule codes (strings such as "FT101" or "FT1")',
  'name-list': 'an array of dotted names (strings such as "mypkg.sync.SpinLock")',
  'glob-list': 'an array of glob strings',
  'glob-table': 'a table of glob = [rule codes]',
  'package-table': 'a table of import name = "first free-threaded version" or false',
  version: 'a Python version string such as "py313", "py314" or "3.14"',
  trace: 'one of "off", "messages", "verbose"',
  confidence: 'one of "low", "medium", "high"',
};

export function expectedDescription(type: ValueType): string {
  return EXPECTED[type];
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The known TOML key an unknown one was probably meant to be (camelCase, underscores, typos). */
export function suggestKey(unknown: string): string | undefined {
  const normalized = unknown.replace(/_/g, '-').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const k of TOML_KEYS) {
    const d = levenshtein(normalized, k.toml!);
    if (!best || d < best.distance) best = { key: k.toml!, distance: d };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.key.length / 4)) ? best.key : undefined;
}

type Issue = Omit<ConfigError, 'line' | 'column'>;

/**
 * Validates one value of `[tool.ftaudit]` (or of a setting). Returns the normalized value, or
 * undefined when the value is unusable (the key then keeps its default); problems go to `issues`.
 * Bad elements of a list (an unknown rule code, a malformed name) are dropped and reported; the rest
 * of the list is kept.
 */
export function validateValue(key: ConfigKey, value: unknown, path: string[], issues: Issue[]): unknown {
  const label = (p: string[]) => p.map((s) => (/^[A-Za-z0-9_-]+$/.test(s) ? s : JSON.stringify(s))).join('.');
  const wrongType = (p: string[], expected: string, got: unknown) =>
    issues.push({ keyPath: p, message: `${label(p)}: expected ${expected}, got ${typeName(got)}${typeof got === 'string' ? ` ${JSON.stringify(got)}` : ''}` });

  const stringList = (p: string[], v: unknown, expected: string): string[] | undefined => {
    if (!Array.isArray(v)) {
      wrongType(p, expected, v);
      return undefined;
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else issues.push({ keyPath: p, message: `${label(p)}[${i}]: expected a string, got ${typeName(item)}` });
    });
    return out;
  };

  const codeList = (p: string[], v: unknown): string[] | undefined => {
    const list = stringList(p, v, EXPECTED['code-list']);
    if (!list) return undefined;
    const codes = list.map(normalizeCode).filter(Boolean);
    const unknown = new Set(unknownCodes(codes));
    for (const [i, raw] of list.entries()) {
      if (unknown.has(normalizeCode(raw))) issues.push({ keyPath: p, value: raw, message: `${label(p)}: unknown rule code ${raw.trim()} (see \`ftaudit rules\`)` });
      else if (!raw.trim()) issues.push({ keyPath: p, message: `${label(p)}[${i}]: empty rule code` });
    }
    return codes.filter((c) => !unknown.has(c));
  };

  switch (key.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      wrongType(path, EXPECTED.boolean, value);
      return undefined;
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
      wrongType(path, EXPECTED.integer, value);
      return undefined;
    case 'string':
      if (typeof value === 'string') return value;
      wrongType(path, EXPECTED.string, value);
      return undefined;
    case 'trace':
      if (value === 'off' || value === 'messages' || value === 'verbose') return value;
      wrongType(path, EXPECTED.trace, value);
      return undefined;
    case 'confidence':
      if (value === 'low' || value === 'medium' || value === 'high') return value;
      wrongType(path, EXPECTED.confidence, value);
      return undefined;
    case 'version': {
      if (typeof value !== 'string') {
        wrongType(path, EXPECTED.version, value);
        return undefined;
      }
      if (value.trim() === '') return undefined;
      const v = normalizeTargetVersion(value);
      if (!v) issues.push({ keyPath: path, message: `${label(path)}: expected ${EXPECTED.version}, got ${JSON.stringify(value)}` });
      return v;
    }
    case 'string-list':
    case 'glob-list':
      return stringList(path, value, EXPECTED[key.type]);
    case 'code-list':
      return codeList(path, value);
    case 'name-list': {
      const list = stringList(path, value, EXPECTED['name-list']);
      if (!list) return undefined;
      return list.filter((name) => {
        if (DOTTED_NAME.test(name.trim())) return true;
        issues.push({ keyPath: path, value: name, message: `${label(path)}: ${JSON.stringify(name)} is not a dotted Python name (like "mypkg.sync.SpinLock")` });
        return false;
      }).map((n) => n.trim());
    }
    case 'glob-table': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || typeName(value) !== 'a table') {
        wrongType(path, EXPECTED['glob-table'], value);
        return undefined;
      }
      const out: Record<string, string[]> = {};
      for (const [glob, codes] of Object.entries(value as Record<string, unknown>)) {
        if (glob.trim() === '' || glob.trim() === '!') {
          issues.push({ keyPath: [...path, glob], message: `${label(path)}: empty glob` });
          continue;
        }
        const list = codeList([...path, glob], codes);
        if (list) out[glob] = list;
      }
      return out;
    }
    case 'package-table': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || typeName(value) !== 'a table') {
        wrongType(path, EXPECTED['package-table'], value);
        return undefined;
      }
      const out: Record<string, string | null> = {};
      for (const [name, version] of Object.entries(value as Record<string, unknown>)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
          issues.push({ keyPath: [...path, name], message: `${label([...path, name])}: not an import name (a top-level module such as "numpy")` });
        } else if (version === false || version === null) {
          out[name] = null;
        } else if (typeof version === 'string' && /^\d+(\.\d+)*$/.test(version.trim())) {
          out[name] = version.trim();
        } else {
          issues.push({ keyPath: [...path, name], message: `${label([...path, name])}: expected a version such as "1.4.0" or false, got ${typeName(version)}` });
        }
      }
      return out;
    }
  }
}

/** Validates a parsed `[tool.ftaudit]` table: unknown keys, wrong types, unknown rule codes. */
export function validateProjectTable(table: Record<string, unknown>): { config: ProjectConfig; issues: Issue[] } {
  const config: ProjectConfig = {};
  const issues: Issue[] = [];
  for (const [name, value] of Object.entries(table)) {
    const key = TOML_KEYS.find((k) => k.toml === name);
    if (!key) {
      const hint = suggestKey(name);
      issues.push({ keyPath: [name], message: `unknown key '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}; known keys: ${TOML_KEYS.map((k) => k.toml).join(', ')}` });
      continue;
    }
    const normalized = validateValue(key, value, [name], issues);
    if (normalized !== undefined) (config as Record<string, unknown>)[camelCase(name)] = normalized;
  }
  return { config, issues };
}

/** The JSON schema of one setting for package.json `contributes.configuration.properties`. */
export function settingSchema(key: ConfigKey): Record<string, unknown> {
  const base = (): Record<string, unknown> => {
    switch (key.type) {
      case 'boolean':
        return { type: 'boolean' };
      case 'integer':
        return { type: 'integer', minimum: 0 };
      case 'string':
        return { type: 'string' };
      case 'trace':
        return { type: 'string', enum: ['off', 'messages', 'verbose'] };
      case 'confidence':
        return { type: 'string', enum: ['low', 'medium', 'high'] };
      case 'version':
        return { type: 'string', pattern: '^$|^(py3[0-9]{1,2}|3\\.[0-9]{1,2})$' };
      case 'string-list':
      case 'code-list':
      case 'name-list':
      case 'glob-list':
        return { type: 'array', items: { type: 'string' } };
      case 'glob-table':
        return { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } };
      case 'package-table':
        return { type: 'object', additionalProperties: { type: ['string', 'boolean', 'null'] } };
    }
  };
  return { ...base(), default: key.default, ...(key.scope === 'window' ? { scope: 'window' } : {}), description: key.description };
}

/** package.json `contributes.configuration.properties`, generated from CONFIG_KEYS. */
/**
 * Settings of the benchmark runner: editor only (the CLI takes flags), so they are written here in
 * package.json's own schema language. Interpreter paths are machine-overridable and restricted in
 * untrusted workspaces (package.json `capabilities.untrustedWorkspaces.restrictedConfigurations`).
 */
export const BENCH_SETTINGS: Record<string, Record<string, unknown>> = {
  'ftaudit.interpreters': {
    type: 'array',
    items: {
      type: 'object',
      required: ['path'],
      properties: {
        label: { type: 'string', description: 'Name shown in result tables.' },
        path: { type: 'string', description: 'Path of the Python executable.' },
        env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra environment variables, e.g. {"PYTHON_GIL": "0"}.' },
      },
    },
    default: [],
    scope: 'machine-overridable',
    description: 'Python interpreters to benchmark, in addition to the ones found on PATH, in pyenv and in the Python extension. Every interpreter is probed: a file name says nothing reliable about the GIL.',
  },
  'ftaudit.bench.trials': { type: 'number', default: 3, minimum: 1, description: 'Timed runs per experiment and interpreter (each in a fresh process, after one warm-up run).' },
  'ftaudit.bench.threads': { type: 'number', default: 0, minimum: 0, description: 'Threads (or processes) per experiment; 0 means the CPU count, capped at 8.' },
  'ftaudit.bench.quick': { type: 'boolean', default: false, description: 'Run the experiments with smaller iteration counts (about 10× faster, noisier).' },
  'ftaudit.bench.timeoutSeconds': { type: 'number', default: 120, minimum: 1, description: 'Time limit per trial; a trial over it is killed with its whole process tree.' },
  'ftaudit.reproduce.codeLens': { type: 'boolean', default: true, description: 'Show a "Reproduce" CodeLens above race findings (trusted workspaces only). The code action is offered either way.' },
  'ftaudit.reproduce.threads': { type: 'number', default: 8, minimum: 2, description: 'Threads released together when a race is reproduced.' },
  'ftaudit.reproduce.timeoutSeconds': { type: 'number', default: 60, minimum: 1, description: 'Time limit per interpreter for a reproduction; over it the harness is killed with its whole process tree.' },
};

export function settingsContribution(): Record<string, Record<string, unknown>> {
  return { ...Object.fromEntries(SETTING_KEYS.map((k) => [`ftaudit.${k.setting}`, settingSchema(k)])), ...BENCH_SETTINGS };
}

const code = (v: unknown) => `\`${JSON.stringify(v)}\``;

/** The README's configuration table (markdown), generated from CONFIG_KEYS. */
export function readmeTable(): string {
  const rows = CONFIG_KEYS.map((k) => {
    const toml = k.toml ? `\`${k.toml}\`` : '—';
    const setting = k.setting ? `\`ftaudit.${k.setting}\`` : '—';
    return `| ${toml} | ${setting} | ${code(k.default)} | ${k.description.replace(/\|/g, '\\|')} |`;
  });
  const bench = Object.entries(BENCH_SETTINGS).map(([name, schema]) => `| — | \`${name}\` | ${code(schema.default)} | ${String(schema.description).replace(/\|/g, '\\|')} |`);
  return ['| `[tool.ftaudit]` key | VS Code setting | default | meaning |', '|---|---|---|---|', ...rows, ...bench].join('\n');
}
