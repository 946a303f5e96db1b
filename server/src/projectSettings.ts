// The rules and options each document is checked with: the nearest pyproject.toml's [tool.ftaudit]
// with the editor settings on top (the same resolution as `ftaudit check`), cached per file until a
// setting or a config file changes. Config problems are reported as diagnostics on the config file.
import * as path from 'path';
import { pathToFileURL } from 'url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { selectRules, type AnalysisOptions, type Rule } from './analysis';
import { clearConfigCache, effectiveSettings, findProjectConfig, loadProjectConfig, type LoadedConfig } from './config';
import { settingsOverrides, type ServerSettings } from './settings';

export interface DocumentConfig {
  rules: Rule[];
  options: AnalysisOptions;
  /** The pyproject.toml in effect, if any. */
  configPath: string | null;
}

export class ProjectSettings {
  private readonly perFile = new Map<string, DocumentConfig>();
  private readonly configs = new Map<string, LoadedConfig>();

  constructor(
    private readonly settings: () => ServerSettings,
    private readonly folders: () => string[],
    /** Called with a config file's diagnostics when it is (re)loaded. */
    private readonly report: (uri: string, diagnostics: Diagnostic[]) => void,
  ) {}

  /** Forget everything: settings or config files changed. */
  reset(): void {
    this.perFile.clear();
    for (const file of this.configs.keys()) this.report(pathToFileURL(file).href, []);
    this.configs.clear();
    clearConfigCache();
  }

  forFile(file: string | null): DocumentConfig {
    const key = file ?? '';
    let cached = this.perFile.get(key);
    if (cached) return cached;
    const settings = this.settings();
    const configPath = file ? findProjectConfig(file) : null;
    const loaded = configPath ? this.load(configPath) : null;
    const folder = file ? this.folders().find((f) => file.startsWith(f + path.sep)) : undefined;
    const effective = file
      ? effectiveSettings(file, loaded ? { config: loaded.config, root: loaded.root, requirements: loaded.requirements } : null, settingsOverrides(settings, folder))
      : { select: settings.select, ignore: settings.ignore, assumeConcurrent: settings.assumeConcurrent, lockTypes: settings.lockTypes, threadEntryPoints: settings.threadEntryPoints, targetVersion: settings.targetVersion };
    const { select: _select, ignore: _ignore, ...options } = effective;
    cached = { rules: selectRules(effective), options, configPath };
    this.perFile.set(key, cached);
    return cached;
  }

  private load(configPath: string): LoadedConfig {
    let loaded = this.configs.get(configPath);
    if (!loaded) {
      loaded = loadProjectConfig(configPath);
      this.configs.set(configPath, loaded);
      this.report(
        pathToFileURL(configPath).href,
        loaded.errors.map((e) => {
          const line = Math.max(0, (e.line ?? 1) - 1);
          const character = Math.max(0, (e.column ?? 1) - 1);
          return {
            range: { start: { line, character }, end: { line, character: character + Math.max(1, e.value?.length ?? 1) } },
            severity: DiagnosticSeverity.Error,
            source: 'ftaudit',
            message: `${e.message} — the default is used instead.`,
          };
        }),
      );
    }
    return loaded;
  }
}
