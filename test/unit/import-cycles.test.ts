// No import cycles in the product code (type-only imports included): a cycle makes module load order
// matter and blurs the layers (analysis model → rules → fixes → adapters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

test('product code has no import cycles', () => {
  const graph = new Map<string, string[]>();
  for (const file of ['client/src', 'server/src', 'bench', 'reproduce'].flatMap((d) => tsFiles(join(root, d)))) {
    const deps: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)) {
      const target = normalize(join(dirname(file), m[1]));
      const hit = [`${target}.ts`, join(target, 'index.ts')].find((c) => existsSync(c));
      if (hit) deps.push(hit);
    }
    graph.set(file, deps);
  }
  // Depth-first search with colours: a grey node reached again closes a cycle.
  const colour = new Map<string, 'grey' | 'black'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    colour.set(file, 'grey');
    for (const dep of graph.get(file) ?? []) {
      if (colour.get(dep) === 'grey') cycles.push([...path.slice(path.indexOf(dep)), dep].map((f) => relative(root, f)).join(' → '));
      else if (!colour.has(dep)) visit(dep, [...path, dep]);
    }
    colour.set(file, 'black');
  };
  for (const file of graph.keys()) if (!colour.has(file)) visit(file, [file]);
  assert.deepEqual(cycles, []);
});
