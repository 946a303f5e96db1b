// `[tool.ftaudit]` in pyproject.toml and the `ftaudit.*` settings: keys, loading, and the settings a
// file is checked with. No editor or LSP imports: the server, the CLI and the tests share it.
export * from './schema';
export { findProjectConfig, loadProjectConfig, parseProjectConfig, clearConfigCache, formatConfigError, PYPROJECT, type LoadedConfig } from './load';
export { effectiveSettings, perFileIgnoreCodes, isExcluded, type SettingsOverrides, type ProjectContext } from './resolve';
export { editorOverrides } from './editor';
export { TomlLocator } from './locate';
