// Runs the selected rules over one parsed module in a single traversal and returns the findings,
// minus those silenced by suppression comments (collected in the same traversal).
import type { Node, Tree } from './parser';
import type { AnalysisOptions, Finding, Rule, RuleContext } from './types';
import { ModuleModel } from './model/module';
import { Suppressions, type SourceComment } from './suppression';
import { LineIndex } from './text';
import { ALL_RULES } from './rules';
import { FT900 } from './rules/FT900-invalid-suppression';

export interface AnalyzeInput {
  tree: Tree;
  text: string;
  rules: readonly Rule[];
  options?: AnalysisOptions;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ALL_RULES.map((r) => r.code));

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
  if (rules.length === 0) return [];

  const findings: Finding[] = [];
  const comments: SourceComment[] = [];
  let model: ModuleModel | undefined;
  let currentRule: Rule = rules[0];
  const ctx: RuleContext = {
    tree,
    text,
    options,
    get model() {
      return (model ??= new ModuleModel(tree.rootNode, options));
    },
    report(node, f) {
      findings.push({ code: currentRule.code, start: node.startIndex, end: node.endIndex, ...f });
    },
  };

  const cursor = tree.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      if (type === 'comment') {
        comments.push({ text: cursor.nodeText, start: cursor.startIndex, end: cursor.endIndex, line: -1 });
      } else {
        const list = handlers.get(type);
        if (list) {
          const node = cursor.currentNode;
          for (const { rule, fn } of list) {
            currentRule = rule;
            fn(node, ctx);
          }
        }
      }
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return finish(findings, comments, text, rules);
      }
    }
  } finally {
    cursor.delete();
  }
}

function finish(findings: Finding[], comments: SourceComment[], text: string, rules: readonly Rule[]): Finding[] {
  if (findings.length === 0 && comments.length === 0) return findings;
  const lines = new LineIndex(text);
  for (const c of comments) c.line = lines.positionAt(c.start).line;
  const suppressions = new Suppressions(comments, KNOWN_CODES);
  const kept = findings.filter((f) => !suppressions.isSuppressed(f.code, lines.positionAt(f.start).line));
  if (rules.includes(FT900)) {
    for (const u of suppressions.unknownCodes) {
      kept.push({ code: FT900.code, severity: 'hint', start: u.start, end: u.end, message: `\`${u.code}\` is not an ftaudit rule code, so this suppression does nothing for it. Run \`ftaudit rules\` for the list.` });
    }
  }
  return kept.sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
}
