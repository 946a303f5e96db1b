// Test code, as test runners collect it: it runs once, under a harness, so assume-concurrent does not
// put it on threads (a test that starts threads itself is still checked against them).
import type { FunctionScope } from './scopes';

/**
 * A `test_…` function, a method of a `TestCase` subclass or of a class named `Test…`, `test_…` (pytest)
 * or `…Test(s)` (unittest), or code nested in one. Library code that merely mentions tests
 * (`doctest.DocTestRunner`, `testmod`) is not. Whole test modules are told apart by their file
 * (`moduleIdentity().isTest`).
 */
export function isTestCode(scope: FunctionScope | null): boolean {
  for (let s = scope; s; s = s.parent) {
    const cls = s.classNode;
    if (!cls) {
      if (/^test_/.test(s.name)) return true;
      continue;
    }
    if (/TestCase\b/.test(cls.childForFieldName('superclasses')?.text ?? '') || /^(Test|test_)|Tests?$/.test(cls.childForFieldName('name')?.text ?? '')) return true;
  }
  return false;
}
