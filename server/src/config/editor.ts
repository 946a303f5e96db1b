// VS Code `ftaudit.*` settings (what workspace/configuration returns) → overrides for effectiveSettings.
// Lenient, as settings.json is edited by hand: a wrong value is dropped (and described in `problems`)
// and a default value (an empty list, an empty string, false) counts as "not set", so the file decides.
import { SETTING_KEYS, validateValue } from './schema';
import type { SettingsOverrides } from './resolve';

export function editorOverrides(raw: unknown, problems: string[] = []): SettingsOverrides {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    if (!key.toml || !key.setting) continue; // editor-only keys (enable, trace.server) are not overrides
    const value = r[key.setting];
    if (value === undefined || value === null) continue;
    const issues: Array<{ message: string }> = [];
    const normalized = validateValue(key, value, [key.setting], issues);
    for (const i of issues) problems.push(`ftaudit.${i.message}`);
    if (normalized !== undefined) out[key.setting] = normalized;
  }
  return out as SettingsOverrides;
}
