import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { EXPERIMENTS, experimentScript, RUN_MARKER } from '../../bench/experiments';
import { locateExperimentsDir } from '../../bench/locate';
import { experimentsDir, tempDir } from './bench-helpers';

test('the catalogue and experiments/ agree; every script has the `def run(` marker', () => {
  const onDisk = fs.readdirSync(experimentsDir).filter((f) => /^bench_.*\.py$/.test(f)).sort();
  assert.deepEqual(onDisk, EXPERIMENTS.map((e) => `bench_${e.id}.py`).sort());
  for (const e of EXPERIMENTS) {
    const source = fs.readFileSync(experimentScript(experimentsDir, e.id), 'utf8');
    assert.match(source, RUN_MARKER, e.id);
    assert.match(source, new RegExp(`_ftbench\\.main\\("${e.id}", run, DEFAULTS, QUICK\\)`), e.id);
  }
  assert.deepEqual(EXPERIMENTS.filter((e) => e.article).map((e) => e.id), ['single', 'io', 'race', 'multiprocessing', 'scaling', 'lock']);
});

test('the locator walks up from the bundle and from the sources', () => {
  const root = path.dirname(experimentsDir);
  assert.equal(locateExperimentsDir(path.join(root, 'server', 'out'), {}), experimentsDir);
  assert.equal(locateExperimentsDir(path.join(root, 'client', 'out'), {}), experimentsDir);
  assert.equal(locateExperimentsDir(path.join(root, 'server', 'src', 'bench'), {}), experimentsDir);
  assert.equal(locateExperimentsDir(tempDir(), { FTAUDIT_EXPERIMENTS_DIR: experimentsDir }), experimentsDir);
  assert.throws(() => locateExperimentsDir(tempDir(), {}), /experiments\/_ftbench\.py not found in any folder above/);
  assert.throws(() => locateExperimentsDir(root, { FTAUDIT_EXPERIMENTS_DIR: tempDir() }), /has no _ftbench\.py/);
});
