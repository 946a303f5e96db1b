// Runs the selected rules over one parsed module in a single traversal and returns the findings.
import type { Node, Tree } from './parser';
import type { AnalysisOptions, Finding, Rule, RuleContext } from './types';
import { ModuleModel } from './model/module';
import { isSuppressed } from './suppression';
import { LineIndex } from './text';

export interface AnalyzeInput {
  tree: Tree;
  text: string;
  rules: readonly Rule[];
  options?: AnalysisOptions;
}

export function analyze({ tree, text, rules, options = {} }: AnalyzeInput): Finding[] {
  const handlers = new Map<string, Array<{ rule: Rule; fn: (node: Node, ctx: RuleContext) => void }>>();
  for (const rule of rules) {
    for (const [type, fn] of Object.entries(rule.visit)) {
      if (!fn) continue;
      const list = handlers.get(type) ?? [];
      list.push({ rule, fn });
      handlers.set(type, list);
    }
  }
  if (handlers.size === 0) return [];

  const findings: Finding[] = [];
  let model: ModuleModel | undefined;
  let currentRule: Rule = rules[0];
  const ctx: RuleContext = {
    tree,
    text,
    options,
    get model() {
      return (model ??= new ModuleModel(tree.rootNode));
    },
    report(node, f) {
      findings.push({ code: currentRule.code, start: node.startIndex, end: node.endIndex, ...f });
    },
  };

  const cursor = tree.walk();
  try {
    for (;;) {
      const list = handlers.get(cursor.nodeType);
      if (list) {
        const node = cursor.currentNode;
        for (const { rule, fn } of list) {
          currentRule = rule;
          fn(node, ctx);
        }
      }
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return finish(findings, text);
      }
    }
  } finally {
    cursor.delete();
  }
}

function finish(findings: Finding[], text: string): Finding[] {
  if (findings.length === 0) return findings;
  const lines = new LineIndex(text);
  return findings
    .filter((f) => !isSuppressed(lines.lineText(lines.positionAt(f.start).line), f.code))
    .sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
}
