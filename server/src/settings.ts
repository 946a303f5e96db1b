// Server-side view of the `ftaudit.*` settings (package.json `contributes.configuration` is the source
// of truth for names and defaults; this only validates what the client sends).
import type { CheckSettings } from './analysis';

export interface ServerSettings extends CheckSettings {
  enable: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = { enable: true, select: [], ignore: [], assumeConcurrent: false };

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;

export function normalizeSettings(raw: unknown): ServerSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    enable: typeof r.enable === 'boolean' ? r.enable : DEFAULT_SETTINGS.enable,
    select: stringList(r.select) ?? [],
    ignore: stringList(r.ignore) ?? [],
    assumeConcurrent: typeof r.assumeConcurrent === 'boolean' ? r.assumeConcurrent : false,
  };
}
