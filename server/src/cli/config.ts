// Which configuration each file of `ftaudit check` gets: its nearest pyproject.toml (ruff's
// discovery), the file named by --config, or none (--isolated); CLI flags on top.
import * as path from 'path';
import type { CheckSettings } from '../analysis';
import { effectiveSettings, findProjectConfig, isExcluded, loadProjectConfig, type LoadedConfig, type SettingsOverrides } from '../config';

export type ConfigMode = { kind: 'discover' } | { kind: 'file'; path: string } | { kind: 'isolated' };

export class CliConfig {
  private readonly loaded = new Map<string, LoadedConfig>();
  /** Config files in the order they were first used, for reporting their errors once each. */
  readonly used: LoadedConfig[] = [];

  constructor(
    private readonly mode: ConfigMode,
    private readonly overrides: SettingsOverrides,
  ) {
    if (mode.kind === 'file') this.load(path.resolve(mode.path));
  }

  private load(file: string): LoadedConfig {
    let config = this.loaded.get(file);
    if (!config) {
      config = loadProjectConfig(file);
      this.loaded.set(file, config);
      this.used.push(config);
    }
    return config;
  }

  /** The config that applies to `file`, or null (isolated, or no pyproject.toml above it). */
  projectFor(file: string): LoadedConfig | null {
    switch (this.mode.kind) {
      case 'isolated':
        return null;
      case 'file':
        return this.load(path.resolve(this.mode.path));
      case 'discover': {
        const found = findProjectConfig(file);
        return found ? this.load(found) : null;
      }
    }
  }

  settingsFor(file: string): CheckSettings {
    return effectiveSettings(file, this.projectFor(file), this.overrides);
  }

  /** `extend-exclude` of the file's config (files found by walking a directory only). */
  excluded(file: string): boolean {
    const project = this.projectFor(file);
    return !!project?.config.extendExclude && isExcluded(file, project.config.extendExclude, project.root);
  }

  get errorCount(): number {
    return this.used.reduce((n, c) => n + c.errors.length, 0);
  }
}
