// Loads web-tree-sitter and the tree-sitter-python grammar once per process.
// The wasm files live in `grammars/` (copied there by the build), so the bundled server, the CLI and
// the tests all load the same files.
import * as path from 'path';
import * as fs from 'fs';
import { Parser, Language } from 'web-tree-sitter';
import { adoptBinding } from './treeWalk';

// The walk the export uses, from the same module instance as the binding it adopted (tests load this file).
export { directWalks, walkTree } from './treeWalk';

export type { Tree as WasmTree, Node as WasmNode, Edit } from 'web-tree-sitter';
// The analysis reads the exported tree (plain JS objects), never web-tree-sitter's nodes.
export type { SyntaxNode as Node, SyntaxTree as Tree } from './syntaxTree';
export { Parser };

let languagePromise: Promise<Language> | undefined;

/** Finds `grammars/` by walking up from this module (works from src/, out/ and the installed .vsix). */
export function defaultGrammarDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'grammars');
    if (fs.existsSync(path.join(candidate, 'tree-sitter-python.wasm'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`ftaudit: grammars/tree-sitter-python.wasm not found above ${__dirname}; run \`npm run build\``);
}

export function loadPython(grammarDir = defaultGrammarDir()): Promise<Language> {
  if (!languagePromise) {
    languagePromise = (async () => {
      const binding = { locateFile: (file: string) => path.join(grammarDir, file) };
      await Parser.init(binding);
      adoptBinding(binding);
      return Language.load(path.join(grammarDir, 'tree-sitter-python.wasm'));
    })();
  }
  return languagePromise;
}

/** A fresh parser for Python; parsers are cheap, trees are not shared between them. */
export async function createPythonParser(grammarDir?: string): Promise<Parser> {
  const language = await loadPython(grammarDir);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
