// The FT2xx rules that depend on analysis options: target-version (FT203, FT204) and the
// extraPackages table (FT216).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checker, LineIndex, type CheckSettings } from '../../server/src/analysis';
import { requirementBelow } from '../../server/src/analysis/requirements';

async function findings(text: string, settings: CheckSettings): Promise<string[]> {
  const checker = await Checker.create(settings);
  const lines = new LineIndex(text);
  return checker.checkText(text).findings.map((f) => `${lines.positionAt(f.start).line + 1}:${f.code}:${f.severity}`);
}

const WARNINGS = `import threading
import warnings

def load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return path

def quiet():
    warnings.filterwarnings("ignore")

threading.Thread(target=load, args=("x",)).start()
threading.Thread(target=quiet).start()
`;

test('FT204: catch_warnings in thread code is reported before 3.14, not when targeting 3.14+', async () => {
  assert.deepEqual(await findings(WARNINGS, { select: ['FT204'] }), ['5:FT204:warning', '10:FT204:warning']);
  assert.deepEqual(await findings(WARNINGS, { select: ['FT204'], targetVersion: '3.13' }), ['5:FT204:warning', '10:FT204:warning']);
  // Context-aware warnings: catch_warnings is thread-local; a global filter change still is not.
  assert.deepEqual(await findings(WARNINGS, { select: ['FT204'], targetVersion: '3.14' }), ['10:FT204:warning']);
  assert.deepEqual(await findings(WARNINGS, { select: ['FT204'], targetVersion: 'py315' }), ['10:FT204:warning']);
});

const DECIMAL = `import decimal
import threading

def work():
    decimal.getcontext().prec = 6
    return decimal.Decimal(1) / 3

threading.Thread(target=work).start()
`;

test('FT203: mutating the current context in thread code is reported only when targeting 3.14+', async () => {
  assert.deepEqual(await findings(DECIMAL, { select: ['FT203'] }), []);
  assert.deepEqual(await findings(DECIMAL, { select: ['FT203'], targetVersion: '3.13' }), []);
  assert.deepEqual(await findings(DECIMAL, { select: ['FT203'], targetVersion: '3.14' }), ['5:FT203:warning']);
});

const IMPORTS = `import numpy
import legacyext.core
from fastext import speedups
`;

test('FT216: extraPackages adds packages and overrides the built-in table', async () => {
  // numpy supports free-threading from 2.1.0: a hint only when a declared requirement keeps it below.
  assert.deepEqual(await findings(IMPORTS, { select: ['FT216'] }), []);
  assert.deepEqual(await findings(IMPORTS, { select: ['FT216'], declaredRequirements: ['numpy<2'] }), ['1:FT216:hint']);
  assert.deepEqual(
    await findings(IMPORTS, { select: ['FT216'], extraPackages: { legacyext: null, fastext: '1.4.0', numpy: null }, declaredRequirements: ['fastext==1.2.0'] }),
    ['1:FT216:info', '2:FT216:info', '3:FT216:hint'],
  );
});

test('FT216: which declared requirements keep a package below its first free-threaded release', async () => {
  const below = (req: string) => requirementBelow([req], 'numpy', '2.1.0');
  for (const req of ['numpy<2', 'numpy<2.1', 'numpy<=2.0.2', 'numpy==1.26.4', 'numpy==1.*', 'numpy~=1.26', 'NumPy[extra] >=1.20, <2 ; python_version>"3.9"']) {
    assert.equal(below(req), req.trim(), req);
  }
  for (const req of ['numpy', 'numpy>=1.24', 'numpy<3', 'numpy<=2.1', 'numpy==2.1.0', 'numpy==2.*', 'numpy~=2.1', 'numpy!=1.26', 'numpyx<2', 'scipy<1']) {
    assert.equal(below(req), null, req);
  }
  assert.equal(requirementBelow(['scikit_learn<1.5'], 'scikit-learn', '1.5.0'), 'scikit_learn<1.5', 'names are compared normalised');
});

test('FT216: a file that only imports a package from extraPackages is still analysed (text gate)', async () => {
  assert.deepEqual(await findings('import legacyext\n', { select: ['FT216'], extraPackages: { legacyext: null } }), ['1:FT216:info']);
});
