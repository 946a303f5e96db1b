// The pre-commit hook (.pre-commit-hooks.yaml) with the real pre-commit: a temporary project whose
// .pre-commit-config.yaml points at a local clone of this repository. pre-commit installs the clone the
// way it installs any node hook (`npm install` in the clone, whose postinstall builds the CLI, then
// `npm pack` and a global install of the tarball into its own environment), then runs `ftaudit check`
// on the staged Python files. Needs pre-commit on PATH (scripts/setup-precommit.sh installs Debian's;
// `npm run test:precommit` runs it first) and the npm registry; skipped, and said so, without pre-commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const repo = join(__dirname, '..', '..');
const preCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
const skip = preCommit.status === 0 ? false : 'pre-commit is not installed (scripts/setup-precommit.sh installs it)';

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
}

function git(cwd: string, ...args: string[]): string {
  const r = run('git', ['-c', 'user.name=ftaudit-test', '-c', 'user.email=test@ftaudit.invalid', '-c', 'commit.gpgsign=false', ...args], cwd);
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A git clone of the current checkout: its tracked and untracked (not ignored) files, committed, so
 * uncommitted changes to the hook are what is tested. Build output and node_modules stay out, as in a
 * fresh clone from GitHub. */
function cloneCheckout(dest: string): string {
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo);
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(repo, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(join(repo, file), join(dest, file));
  }
  git(dest, 'init', '-q');
  git(dest, 'add', '.');
  git(dest, 'commit', '-q', '-m', 'snapshot of the ftaudit checkout');
  return git(dest, 'rev-parse', 'HEAD');
}

function config(clone: string, rev: string, args?: string[]): string {
  const argsLine = args ? `\n        args: [${args.join(', ')}]` : '';
  return `repos:\n  - repo: ${clone}\n    rev: ${rev}\n    hooks:\n      - id: ftaudit${argsLine}\n`;
}

test('pre-commit runs the ftaudit hook: fails on a race, passes on clean code, --fix fixes', { skip, timeout: 15 * 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'ftaudit-precommit-'));
  try {
    const clone = join(root, 'ftaudit');
    const rev = cloneCheckout(clone);
    const project = join(root, 'project');
    mkdirSync(join(project, 'pkg'), { recursive: true });
    git(project, 'init', '-q');
    copyFileSync(join(repo, 'examples', 'race_counter.py'), join(project, 'racy.py'));
    copyFileSync(join(repo, 'examples', 'shared_cache.py'), join(project, 'pkg', 'cache.py'));
    copyFileSync(join(repo, 'examples', 'safe_registry.py'), join(project, 'pkg', 'registry.py'));
    writeFileSync(join(project, 'README.md'), 'not Python: pre-commit does not pass it to the hook\n');
    writeFileSync(join(project, '.pre-commit-config.yaml'), config(clone, rev));
    git(project, 'add', '.');
    // Its own cache: every run installs the hook from the clone, as a new user's first commit does.
    // npm may answer from its cache (the registry is still asked when the cache lacks a package).
    const env = { PRE_COMMIT_HOME: join(root, 'cache'), PRE_COMMIT_COLOR: 'never', SKIP: '', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };

    // Several files at once (pre-commit passes the file names); two have races → exit 1 → hook fails.
    const racy = run('pre-commit', ['run', '--all-files'], project, env);
    const out = racy.stdout + racy.stderr;
    assert.equal(racy.status, 1, out);
    assert.match(out, /ftaudit \(free-threading audit\)\.+Failed/);
    assert.match(out, /racy\.py:10:9: FT101 \[error\]/);
    assert.match(out, /pkg\/cache\.py:14:9: FT103 \[error\]/);
    assert.doesNotMatch(out, /registry\.py:\d/);
    assert.match(out, /Found 2 findings\./);

    // Clean code only → exit 0 → hook passes.
    copyFileSync(join(repo, 'examples', 'safe_counter.py'), join(project, 'racy.py'));
    rmSync(join(project, 'pkg', 'cache.py'));
    git(project, 'add', '-A');
    const clean = run('pre-commit', ['run', '--all-files'], project, env);
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /ftaudit \(free-threading audit\)\.+Passed/);

    // args: [--fix] applies the safe fix (one lock over the check and the act); pre-commit fails the
    // run because the hook changed a file, and the file is fixed.
    copyFileSync(join(repo, 'examples', 'shared_cache.py'), join(project, 'pkg', 'cache.py'));
    writeFileSync(join(project, '.pre-commit-config.yaml'), config(clone, rev, ['--fix']));
    git(project, 'add', '-A');
    const fix = run('pre-commit', ['run', '--all-files'], project, env);
    const fixOut = fix.stdout + fix.stderr;
    assert.equal(fix.status, 1, fixOut);
    assert.match(fixOut, /files were modified by this hook/);
    const fixed = readFileSync(join(project, 'pkg', 'cache.py'), 'utf8');
    assert.match(fixed, /with _CACHE_lock:\n {8}if item not in CACHE:/);
    git(project, 'add', '-A');
    const again = run('pre-commit', ['run', '--all-files'], project, env);
    assert.equal(again.status, 0, again.stdout + again.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
