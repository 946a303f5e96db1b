// Expands the CLI's PATH arguments into Python files, skipping what is never the user's own code.
import { promises as fs } from 'fs';
import * as path from 'path';

const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', 'build', 'dist', '.eggs']);

export interface FileListing {
  files: string[];
  /** Paths that could not be read, with the reason. */
  errors: Array<{ path: string; message: string }>;
}

/** A directory is a virtualenv if it has pyvenv.cfg (names vary: env, .env, myenv…). */
async function isVirtualenv(dir: string): Promise<boolean> {
  try {
    await fs.access(path.join(dir, 'pyvenv.cfg'));
    return true;
  } catch {
    return false;
  }
}

export async function collectPythonFiles(inputs: string[]): Promise<FileListing> {
  const files: string[] = [];
  const errors: FileListing['errors'] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      errors.push({ path: dir, message: describeIoError(error) });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || entry.name.endsWith('.egg-info') || (await isVirtualenv(full))) continue;
        await walk(full);
      } else if (entry.isFile() && (entry.name.endsWith('.py') || entry.name.endsWith('.pyi'))) {
        files.push(full);
      }
    }
  };
  for (const input of inputs) {
    let stat;
    try {
      stat = await fs.stat(input);
    } catch (error) {
      errors.push({ path: input, message: describeIoError(error) });
      continue;
    }
    if (stat.isDirectory()) await walk(input);
    else files.push(input); // an explicitly named file is checked whatever its extension
  }
  return { files: [...new Set(files)], errors };
}

export function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
