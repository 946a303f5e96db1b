// The .vsix ships every bundle the build makes: a bundle missing from .vscodeignore's allow-list works
// from the repository but not in the installed extension (the analysis worker once did exactly that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import picomatch from 'picomatch';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

test('.vscodeignore lets every bundle of scripts/build.mjs into the package', () => {
  const build = readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8');
  const outfiles = [...build.matchAll(/outfile:\s*'([^']+)'/g)].map((m) => m[1]);
  assert.ok(outfiles.length >= 5, 'the build lists its bundles');
  const allowed = new Set(readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim()));
  assert.deepEqual(outfiles.filter((f) => !allowed.has(f)), []);
});

// The Get Started walkthrough, the icon and the examples work only from files the .vsix contains.
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
function shipped(file: string): boolean {
  // vsce's rule: a file ships when a `!pattern` of .vscodeignore matches it (everything else is `**`-ignored).
  const patterns = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim());
  return patterns.some((p) => picomatch(p, { dot: true })(file));
}

test('the icon is a 128×128 PNG that ships', () => {
  assert.equal(manifest.icon, 'images/icon.png');
  const png = readFileSync(join(root, manifest.icon));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  assert.ok(shipped(manifest.icon));
});

test('the examples ship, for ftaudit.openExamples to copy', () => {
  const examples = readdirSync(join(root, 'examples'), { recursive: true, encoding: 'utf8' })
    .map((f) => `examples/${f.split('\\').join('/')}`)
    .filter((f) => /\.(py|md)$/.test(f) && !f.includes('__pycache__'));
  assert.ok(examples.includes('examples/race_counter.py'));
  assert.deepEqual(examples.filter((f) => !shipped(f)), []);
  const declared = manifest.contributes.commands.map((c: { command: string }) => c.command);
  assert.ok(declared.includes('ftaudit.openExamples'));
  assert.match(readFileSync(join(root, 'client', 'src', 'examples.ts'), 'utf8'), /OPEN_EXAMPLES_COMMAND = 'ftaudit\.openExamples'/);
  assert.match(readFileSync(join(root, 'client', 'src', 'extension.ts'), 'utf8'), /registerExamplesCommand\(context/);
});

test('the walkthrough: six steps, media that ship, commands and settings that exist', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.equal(walkthrough.steps.length, 6);
  const declared = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
  const settings = new Set(Object.keys(manifest.contributes.configuration.properties));
  for (const step of walkthrough.steps) {
    const media = step.media.markdown;
    assert.ok(existsSync(join(root, media)), `${step.id}: ${media} exists`);
    assert.ok(shipped(media), `${step.id}: ${media} ships`);
    assert.ok(step.completionEvents.length > 0, `${step.id} has completion events`);
    const links = [...step.description.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)];
    for (const [, command, args] of links) {
      if (command.startsWith('ftaudit.')) assert.ok(declared.has(command), `${step.id}: ${command} is declared`);
      if (args) JSON.parse(decodeURIComponent(args));
      if (command === 'workbench.action.openSettings') assert.ok(settings.has(JSON.parse(decodeURIComponent(args))[0]), `${step.id}: the setting exists`);
    }
    for (const event of step.completionEvents) {
      const [kind, name] = event.split(/:(.*)/);
      if (kind === 'onCommand' && name.startsWith('ftaudit.')) assert.ok(declared.has(name), `${step.id}: ${name} is declared`);
      if (kind === 'onSettingChanged') assert.ok(settings.has(name), `${step.id}: ${name} is a setting`);
    }
  }
  const commands = walkthrough.steps.flatMap((s: { description: string }) => [...s.description.matchAll(/command:([\w.]+)/g)].map((m) => m[1]));
  for (const c of ['ftaudit.openExamples', 'ftaudit.bench.configureInterpreters', 'ftaudit.bench.runExperiment']) assert.ok(commands.includes(c), c);
});
