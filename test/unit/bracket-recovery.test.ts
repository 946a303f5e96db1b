// A line inside brackets indented less than its block (tree-sitter-python#256) is no syntax error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checker } from '../../server/src/analysis';
import { joinBracketedLines } from '../../server/src/analysis/bracketRecovery';

const DEDENTED = `import threading

count = 0


def bump(n):
    global count
    if n:
        message = ("added %d" %
    n)
        count += 1  # on a thread below
        return message


threading.Thread(target=bump, args=(1,)).start()
`;

test('a dedented continuation line inside brackets parses, and the findings after it keep their lines', async () => {
  const checker = await Checker.create({ select: ['ALL'] });
  const result = checker.checkText(DEDENTED);
  assert.equal(result.hasSyntaxErrors, false);
  const lines = result.findings.map((f) => DEDENTED.slice(0, f.start).split('\n').length);
  assert.deepEqual(lines, [11]);
  assert.equal(DEDENTED.slice(result.findings[0].start, result.findings[0].end), 'count += 1');
});

test('only line breaks inside brackets change, never inside strings or after comments, and the length stays', () => {
  const text = 'if a:\n    x = (1,  # one\n  2,\n"""a\nb""")\ny = 3\n';
  const joined = joinBracketedLines(text)!;
  assert.equal(joined.length, text.length);
  assert.equal(joined, 'if a:\n    x = (1,  # one\n  2, """a\nb""")\ny = 3\n');
  // Nothing inside brackets less indented than its opening line: no second parse is worth it.
  assert.equal(joinBracketedLines('x = (1,\n     2)\n'), null);
  assert.equal(joinBracketedLines('a = 1\nb = 2\n'), null);
  assert.equal(joinBracketedLines("s = '(\\n'\nt = 1\n"), null);
});

test("an f-string whose format spec fills with '=' (f\"{x:=^30}\") is no syntax error, and positions stay", async () => {
  const text = `import threading

hits = 0


def banner(title):
    global hits
    hits += 1  # on a thread below
    return f"{title:=^30}|{title!r:=>12}"


threading.Thread(target=banner, args=("x",)).start()
`;
  const checker = await Checker.create({ select: ['ALL'] });
  const result = checker.checkText(text);
  assert.equal(result.hasSyntaxErrors, false);
  assert.deepEqual(result.findings.map((f) => text.slice(f.start, f.end)), ['hits += 1']);
  // A real syntax error is still one.
  assert.equal(checker.checkText('import threading\nlock = threading.Lock()\ndef f(:\n    pass\n').hasSyntaxErrors, true);
});
