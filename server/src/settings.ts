// Server-side view of the `ftaudit.*` settings. Names, types and defaults come from the key table in
// ./config/schema.ts (which package.json `contributes.configuration` is checked against); this only
// validates what the client sends. A wrong value is dropped and described in `problems`.
import type { CheckSettings } from './analysis';
import { editorOverrides, SETTING_KEYS, validateValue, type SettingsOverrides } from './config';

export interface ServerSettings extends CheckSettings {
  enable: boolean;
  perFileIgnores: Record<string, string[]>;
  /** Open files larger than this many bytes (UTF-8) are neither parsed nor analysed; 0: no limit. */
  maxAnalysisSize: number;
}

const MAX_ANALYSIS_SIZE = SETTING_KEYS.find((k) => k.setting === 'maxAnalysisSize')!;

export const DEFAULT_SETTINGS: ServerSettings = {
  enable: true,
  select: [],
  ignore: [],
  assumeConcurrent: false,
  perFileIgnores: {},
  lockTypes: [],
  threadEntryPoints: [],
  maxAnalysisSize: MAX_ANALYSIS_SIZE.default as number,
};

export function normalizeSettings(raw: unknown, problems: string[] = []): ServerSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const o = editorOverrides(r, problems);
  const sizeIssues: Array<{ message: string }> = [];
  const maxAnalysisSize = r.maxAnalysisSize === undefined || r.maxAnalysisSize === null ? undefined : validateValue(MAX_ANALYSIS_SIZE, r.maxAnalysisSize, ['maxAnalysisSize'], sizeIssues);
  for (const i of sizeIssues) problems.push(`ftaudit.${i.message}`);
  return {
    enable: typeof r.enable === 'boolean' ? r.enable : DEFAULT_SETTINGS.enable,
    select: [...(o.select ?? [])],
    ignore: [...(o.ignore ?? [])],
    assumeConcurrent: o.assumeConcurrent ?? false,
    perFileIgnores: Object.fromEntries(Object.entries(o.perFileIgnores ?? {}).map(([k, v]) => [k, [...v]])),
    lockTypes: [...(o.lockTypes ?? [])],
    threadEntryPoints: [...(o.threadEntryPoints ?? [])],
    maxAnalysisSize: typeof maxAnalysisSize === 'number' ? maxAnalysisSize : DEFAULT_SETTINGS.maxAnalysisSize,
    ...(o.targetVersion ? { targetVersion: o.targetVersion } : {}),
    ...(o.minConfidence && o.minConfidence !== 'low' ? { minConfidence: o.minConfidence } : {}),
    ...(o.extraPackages && Object.keys(o.extraPackages).length > 0 ? { extraPackages: { ...o.extraPackages } } : {}),
  };
}

/** The settings as overrides of a pyproject.toml (for config/effectiveSettings): defaults count as unset. */
export function settingsOverrides(settings: ServerSettings, workspaceFolder?: string): SettingsOverrides {
  const { enable: _enable, maxAnalysisSize: _maxAnalysisSize, ...values } = settings;
  return { ...values, ...(workspaceFolder ? { perFileIgnoresRoot: workspaceFolder } : {}) };
}
