import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/analysis';
import { suppressFileEdit, suppressLineEdit } from '../../server/src/analysis/fixes/suppress';

test('suppress on a line appends, merges and does not duplicate', () => {
  const text = 'a = 1\nb += 1  # note\nc += 1  # ftaudit: ignore[FT102]\r\n';
  assert.equal(applyEdits(text, [suppressLineEdit(text, 0, 'FT101')]), 'a = 1  # ftaudit: ignore[FT101]\nb += 1  # note\nc += 1  # ftaudit: ignore[FT102]\r\n');
  assert.equal(applyEdits(text, [suppressLineEdit(text, 2, 'FT101')]), 'a = 1\nb += 1  # note\nc += 1  # ftaudit: ignore[FT102, FT101]\r\n');
  assert.equal(applyEdits(text, [suppressLineEdit(text, 2, 'FT102')]), text);
});

test('suppress for a file goes after a shebang and merges', () => {
  assert.equal(applyEdits('#!/usr/bin/env python3\nx = 1\n', [suppressFileEdit('#!/usr/bin/env python3\nx = 1\n', 'FT101')]), '#!/usr/bin/env python3\n# ftaudit: ignore-file[FT101]\nx = 1\n');
  const merged = '# ftaudit: ignore-file[FT101]\nx = 1\n';
  assert.equal(applyEdits(merged, [suppressFileEdit(merged, 'FT105')]), '# ftaudit: ignore-file[FT101, FT105]\nx = 1\n');
  assert.equal(applyEdits('x = 1\r\n', [suppressFileEdit('x = 1\r\n', 'FT101')]), '# ftaudit: ignore-file[FT101]\r\nx = 1\r\n');
});
