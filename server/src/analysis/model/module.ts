// The per-module model every rule reads: imports, module bindings, classes, function scopes,
// thread reachability and lock recognition. Built once per analysis, lazily by the first rule that asks.
import type { Node } from '../parser';
import { ImportTable } from './imports';
import { heldLocks, isLockConstruction, isLockishName, type LockResolver } from './locks';
import { buildScope, resolveName, type FunctionScope } from './scopes';
import { accessRoot, boundNames, dottedName, namedChildren } from './syntax';
import { ThreadModel, type CallableResolver } from './threads';
import type { AnalysisOptions } from '../types';

export type ModuleBindingKind = 'value' | 'class' | 'function' | 'import';

export interface ModuleBinding {
  kind: ModuleBindingKind;
  /** The assigned value (for `value`), or the definition node. */
  node: Node | null;
}

export interface ClassInfo {
  node: Node;
  name: string;
  methods: Map<string, Node>;
  /** Attributes that hold a lock: class attributes and `self.x = threading.Lock()` in methods. */
  lockAttributes: Set<string>;
  isThreadSubclass: boolean;
}

export class ModuleModel implements LockResolver, CallableResolver {
  readonly imports: ImportTable;
  readonly bindings = new Map<string, ModuleBinding>();
  readonly classes = new Map<number, ClassInfo>();
  private readonly classesByName = new Map<string, ClassInfo>();
  private readonly scopes = new Map<number, FunctionScope>();
  private readonly functionsByName = new Map<string, Node[]>();
  readonly threads: ThreadModel;

  private readonly lockTypes: readonly string[];
  /** Every call in the module, for "who calls this function?" questions. */
  private readonly calls: Node[] = [];
  private readonly callerLocks = new Map<number, string[]>();
  /** State declared `# guarded-by: LOCK` → the lock's name. */
  readonly guardedBy = new Map<string, { lock: string; node: Node }>();

  constructor(
    readonly root: Node,
    readonly options: AnalysisOptions = {},
  ) {
    this.lockTypes = options.lockTypes ?? [];
    this.imports = new ImportTable(root);
    this.collectModuleBindings(root);
    this.collectDefinitions(root, null);
    for (const info of this.classes.values()) this.collectLockAttributes(info);
    const runs = [...this.classes.values()].filter((c) => c.isThreadSubclass).flatMap((c) => (c.methods.get('run') ? [c.methods.get('run')!] : []));
    this.threads = new ThreadModel(root, this.imports, this.scopes, runs, this, options);
    if (root.text.includes('guarded-by') || root.text.includes('guarded_by')) this.collectGuardedBy(root);
  }

  isLockConstruction(value: Node | null): boolean {
    return isLockConstruction(value, this.imports, this.lockTypes);
  }

  /** Why instances of this class are shared between threads, or null when nothing says they are. */
  whyInstancesShared(cls: ClassInfo): string | null {
    if (cls.isThreadSubclass) return null; // a Thread object's own state belongs to its thread
    if (cls.lockAttributes.size > 0) return `a class that owns a lock, \`${[...cls.lockAttributes][0]}\`, so its instances are shared`;
    const entry = this.threads.sharedInstances.get(cls.node.id);
    if (entry) return `its bound method runs on threads via ${entry.via}, line ${entry.site.startPosition.row + 1}`;
    for (const [name, binding] of this.bindings) {
      if (binding.kind === 'value' && binding.node?.type === 'call' && binding.node.childForFieldName('function')?.text === cls.name && this.threads.hasEntries) {
        return `\`${name}\`, a module-level instance, is used from threads`;
      }
    }
    return null;
  }

  /** Is there any sign that this module runs code on several threads? */
  get hasConcurrencyEvidence(): boolean {
    return this.threads.hasEntries || this.imports.hasConcurrencyImport();
  }

  /** The scope of the innermost function_definition containing `node`. */
  scopeOf(node: Node): FunctionScope | null {
    for (let n = node.parent; n; n = n.parent) {
      if (n.type === 'function_definition') return this.scopes.get(n.id) ?? null;
    }
    return null;
  }

  /** Every function scope in the module, in source order. */
  allScopes(): FunctionScope[] {
    return [...this.scopes.values()];
  }

  classInfo(classNode: Node | null): ClassInfo | null {
    return classNode ? this.classes.get(classNode.id) ?? null : null;
  }

  resolve(name: string, scope: FunctionScope | null) {
    return resolveName(name, scope, new Set(this.bindings.keys()));
  }

  isThreadLocal(value: Node | null): boolean {
    if (!value || value.type !== 'call') return false;
    const q = this.imports.qualify(value.childForFieldName('function')) ?? '';
    if (q === 'threading.local' || q === '_threading_local.local') return true;
    const cls = this.classesByName.get(q);
    return !!cls && cls.node.childForFieldName('superclasses')?.text.includes('local') === true;
  }

  // ----- LockResolver -----

  isLock(expr: Node): boolean {
    if (expr.type === 'call') {
      // `with threading.Lock():` makes a fresh lock each time: it excludes nobody.
      if (this.isLockConstruction(expr)) return false;
      const name = dottedName(expr.childForFieldName('function'));
      return !!name && isLockishName(name[name.length - 1]);
    }
    const parts = dottedName(expr);
    if (!parts) return false;
    const last = parts[parts.length - 1];
    if (parts.length === 1) {
      const binding = this.bindings.get(last);
      if (binding?.kind === 'value' && this.isLockConstruction(binding.node)) return true;
      const scope = this.scopeOf(expr);
      if (scope && this.localLockNames(scope).has(last)) return true;
    } else if (parts.length === 2) {
      const scope = this.scopeOf(expr);
      const cls = this.classInfo(scope?.classNode ?? null) ?? this.classesByName.get(parts[0]) ?? null;
      if (cls?.lockAttributes.has(last)) return true;
    }
    return isLockishName(last);
  }

  /**
   * Locks held at `node`: those taken in its own function, or — when it takes none — the locks every
   * caller of the function holds (a helper only ever called under the lock).
   */
  heldLocks(node: Node): string[] {
    const own = heldLocks(node, this);
    if (own.length > 0) return own;
    const scope = this.scopeOf(node);
    return scope ? this.locksHeldByEveryCaller(scope.node, new Set()) : [];
  }

  private locksHeldByEveryCaller(fn: Node, visiting: Set<number>): string[] {
    const cached = this.callerLocks.get(fn.id);
    if (cached) return cached;
    if (visiting.has(fn.id) || this.threads.entryFor(this.scopes.get(fn.id) ?? null)?.site === fn) return [];
    visiting.add(fn.id);
    let common: string[] | null = null;
    for (const call of this.calls) {
      const callee = call.childForFieldName('function');
      if (!callee || !this.functionsFor(callee, call).some((f) => f.id === fn.id)) continue;
      let held = heldLocks(call, this);
      if (held.length === 0) {
        const caller = this.scopeOf(call);
        held = caller ? this.locksHeldByEveryCaller(caller.node, visiting) : [];
      }
      common = common === null ? held : common.filter((l) => held.includes(l));
      if (common.length === 0) break;
    }
    visiting.delete(fn.id);
    const result = common ?? [];
    this.callerLocks.set(fn.id, result);
    return result;
  }

  /** Local names assigned a lock construction in this function (`lock = threading.Lock()`). */
  private localLockNames(scope: FunctionScope): Set<string> {
    const names = new Set<string>();
    const body = scope.node.childForFieldName('body');
    if (!body) return names;
    for (const stmt of namedChildren(body)) {
      const e = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
      if (e?.type === 'assignment' && this.isLockConstruction(e.childForFieldName('right'))) boundNames(e.childForFieldName('left')).forEach((n) => names.add(n));
    }
    return names;
  }

  private collectGuardedBy(root: Node): void {
    const visit = (node: Node) => {
      for (const child of node.namedChildren) {
        if (!child) continue;
        if (child.type === 'comment') {
          const m = /#\s*guarded[-_]by:\s*([\w.]+)/i.exec(child.text);
          const prev = child.previousNamedSibling;
          if (m && prev && prev.endPosition.row === child.startPosition.row && prev.type === 'expression_statement') {
            const assignment = namedChildren(prev)[0];
            const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
            const key = target ? this.stateKey(target) : null;
            if (key) this.guardedBy.set(key, { lock: m[1], node: target! });
          }
        } else if (child.namedChildCount > 0) visit(child);
      }
    };
    visit(root);
  }

  /** The key of a declared state: `NAME` at module level, `Class.attr` for `self.attr` in a method. */
  stateKey(target: Node): string | null {
    const scope = this.scopeOf(target);
    if (target.type === 'identifier') return scope ? null : target.text;
    if (target.type === 'attribute' && scope?.receiver && target.childForFieldName('object')?.text === scope.receiver) {
      const cls = this.classInfo(scope.classNode);
      return cls ? `${cls.name}.${target.childForFieldName('attribute')?.text}` : null;
    }
    return null;
  }

  // ----- CallableResolver -----

  functionsFor(expr: Node, at: Node): Node[] {
    if (expr.type === 'identifier') {
      const choices = loopChoices(expr.text, at);
      if (choices) return choices.flatMap((c) => this.functionsFor(c, at));
      const cls = this.classesByName.get(expr.text);
      if (cls) return cls.methods.get('__init__') ? [cls.methods.get('__init__')!] : [];
      return this.functionsByName.get(expr.text)?.filter((f) => !this.scopes.get(f.id)?.classNode) ?? [];
    }
    if (expr.type === 'attribute') {
      const method = expr.childForFieldName('attribute')?.text ?? '';
      const object = expr.childForFieldName('object');
      const scope = this.scopeOf(at);
      if (object?.type === 'identifier' && scope?.receiver === object.text) {
        const own = this.classInfo(scope.classNode)?.methods.get(method);
        if (own) return [own];
      }
      if (object?.type === 'identifier') {
        const cls = this.classesByName.get(object.text);
        if (cls) return cls.methods.get(method) ? [cls.methods.get(method)!] : [];
        if (this.imports.isImported(object.text)) return [];
      }
      // `obj.method` on an instance whose type we do not track: every method of that name in the module.
      return (this.functionsByName.get(method) ?? []).filter((f) => this.scopes.get(f.id)?.classNode);
    }
    return [];
  }

  // ----- construction -----

  private collectModuleBindings(root: Node): void {
    const visit = (node: Node) => {
      for (const stmt of namedChildren(node)) {
        switch (stmt.type) {
          case 'expression_statement':
            for (const e of namedChildren(stmt)) {
              if (e.type === 'assignment') {
                const value = e.childForFieldName('right');
                for (const name of boundNames(e.childForFieldName('left'))) this.bindings.set(name, { kind: 'value', node: value });
              } else if (e.type === 'augmented_assignment') {
                for (const name of boundNames(e.childForFieldName('left'))) {
                  if (!this.bindings.has(name)) this.bindings.set(name, { kind: 'value', node: null });
                }
              }
            }
            break;
          case 'function_definition':
          case 'class_definition':
          case 'decorated_definition': {
            const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
            const name = def?.childForFieldName('name')?.text;
            if (def && name) this.bindings.set(name, { kind: def.type === 'class_definition' ? 'class' : 'function', node: def });
            break;
          }
          case 'import_statement':
          case 'import_from_statement':
            for (const item of namedChildren(stmt)) {
              if (item.type === 'aliased_import') this.bindings.set(item.childForFieldName('alias')?.text ?? '', { kind: 'import', node: stmt });
              else if (item.type === 'dotted_name' && item.startIndex !== stmt.childForFieldName('module_name')?.startIndex) {
                this.bindings.set(item.text.split('.')[0], { kind: 'import', node: stmt });
              }
            }
            break;
          case 'for_statement':
            for (const name of boundNames(stmt.childForFieldName('left'))) this.bindings.set(name, { kind: 'value', node: null });
            visitBlocks(stmt);
            break;
          case 'if_statement':
          case 'try_statement':
          case 'with_statement':
          case 'while_statement':
            visitBlocks(stmt);
            break;
        }
      }
    };
    const visitBlocks = (stmt: Node) => {
      for (const c of namedChildren(stmt)) {
        if (c.type === 'block') visit(c);
        else if (c.type.endsWith('clause')) visitBlocks(c);
      }
    };
    visit(root);
  }

  private collectDefinitions(node: Node, parent: FunctionScope | null): void {
    for (const child of namedChildren(node)) {
      if (child.type === 'call') this.calls.push(child);
      if (child.type === 'function_definition') {
        const scope = buildScope(child, parent);
        this.scopes.set(child.id, scope);
        const list = this.functionsByName.get(scope.name) ?? [];
        list.push(child);
        this.functionsByName.set(scope.name, list);
        const cls = this.classInfo(scope.classNode);
        if (cls) cls.methods.set(scope.name, child);
        this.collectDefinitions(child, scope);
      } else if (child.type === 'class_definition') {
        const name = child.childForFieldName('name')?.text ?? '';
        const bases = child.childForFieldName('superclasses');
        const isThreadSubclass = !!bases && namedChildren(bases).some((b) => {
          const q = this.imports.qualify(b);
          return q === 'threading.Thread' || (q === 'Thread' && this.imports.isImported('Thread'));
        });
        const info: ClassInfo = { node: child, name, methods: new Map(), lockAttributes: new Set(), isThreadSubclass };
        this.classes.set(child.id, info);
        if (!parent) this.classesByName.set(name, info);
        this.collectDefinitions(child, parent);
      } else {
        this.collectDefinitions(child, parent);
      }
    }
  }

  private collectLockAttributes(info: ClassInfo): void {
    const body = info.node.childForFieldName('body');
    if (!body) return;
    for (const stmt of namedChildren(body)) {
      const e = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
      if (e?.type === 'assignment' && this.isLockConstruction(e.childForFieldName('right'))) {
        boundNames(e.childForFieldName('left')).forEach((n) => info.lockAttributes.add(n));
      }
    }
    for (const method of info.methods.values()) {
      const receiver = this.scopes.get(method.id)?.receiver;
      if (!receiver) continue;
      const visit = (n: Node) => {
        for (const c of namedChildren(n)) {
          if (c.type === 'assignment' && this.isLockConstruction(c.childForFieldName('right'))) {
            const left = c.childForFieldName('left');
            if (left?.type === 'attribute' && accessRoot(left)?.text === receiver) {
              info.lockAttributes.add(left.childForFieldName('attribute')?.text ?? '');
            }
          }
          if (c.type !== 'function_definition' && c.type !== 'class_definition') visit(c);
        }
      };
      visit(method);
    }
  }
}

/** `for fn in (a, b, c): … fn …` → the literal elements a, b, c that `fn` takes in turn; else null. */
function loopChoices(name: string, at: Node): Node[] | null {
  for (let n = at.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'class_definition') return null;
    if (n.type !== 'for_statement' && n.type !== 'list_comprehension' && n.type !== 'generator_expression') continue;
    const clause = n.type === 'for_statement' ? n : namedChildren(n).find((c) => c.type === 'for_in_clause');
    const left = clause?.childForFieldName('left');
    const right = clause?.childForFieldName('right');
    if (left?.type === 'identifier' && left.text === name && right && (right.type === 'tuple' || right.type === 'list')) {
      return namedChildren(right).filter((e) => e.type === 'identifier' || e.type === 'attribute');
    }
  }
  return null;
}
