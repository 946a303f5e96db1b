// The per-module model every rule reads: imports, module bindings, classes, function scopes,
// thread reachability and lock recognition. Built once per analysis, lazily by the first rule that asks.
import { BUILTIN_METHODS } from './builtinMethods';
import type { Node, Tree } from '../parser';
import { detached } from '../syntaxTree';
import { SyntaxIndex } from './syntaxIndex';
import { ImportTable } from './imports';
import { metaclassHooksFromText } from './classHooks';
import { ThreadBranches } from './threadBranches';
import { heldLocks, isLockConstruction, isLockFactory, isLockishName, lockTableEntry, queueMutex, withItems, type LockResolver } from './locks';
import { buildScope, builtContainerKind, isMutableContainer, parameterNames as parameterOrder, resolveName, type FunctionScope } from './scopes';
import { accessRoot, boundNames, decoratorNames, docstringOf, dottedName, insideLambda, isProse, keywordArgument, lastNameOf, namedAfter, namedChildren, positionalArguments, snippet } from './syntax';
import { DedicatedThreads, type DedicatedThread } from './dedicatedThreads';
import { constantFlags, inDeadBranch } from './deadCode';
import { MUTATING_METHODS } from './mutations';
import { guiBaseKind, importsGuiToolkit, isGeneratedForm, toolkitObjectMaker } from './guiThread';
import { HAND_OVER_WORDS, ThreadModel, type CallableResolver } from './threads';
import { isThreadStart, NAMED_THREAD_CONTRACT, NO_LOCK_NEEDED, ONE_THREAD_CONTRACT, OrderingModel, SINGLE_THREADED, TEST_ONLY } from './ordering';
import type { AnalysisOptions, Confidence } from '../options';
import { moduleMentions } from './textGate';
import { OwnerRegions } from './ownerThread';
import { fieldsWritten } from './threadSideWrites';
import { keptInSharedState, type ContainmentResolver } from './containment';
import { threadingServerHandlers } from './runtimeThreads';
import { classAttributes, dataAttributesReadIn, hasOpaqueBase } from './duckTyping';
import { JoinOrdering } from './joins';
import { ImportPriming } from './priming';
import { BUILTIN_IN_PLACE, baseInPlaceOperators, ownOperatorMethods } from './inPlace';

const NO_OPERATORS: ReadonlySet<string> = new Set();
const ITEM_METHODS: ReadonlySet<string> = new Set(['__getitem__', '__setitem__', '__delitem__']);

/** A special method Python calls itself (`__setattr__`, `__iter__`, `__exit__`): not construction, not an item method (whose `obj[k]` calls are resolved as callers). */
function isImplicitDunder(name: string): boolean {
  return /^__\w+__$/.test(name) && !CONSTRUCTION_METHODS.has(name) && !ITEM_METHODS.has(name);
}

const HOOK_WORDS = /register_at_fork|after_fork|on_fork|fork\w*\.register\b|atexit|__del__|_at_fork_reinit/;
/** `if TYPE_CHECKING:`, `if typing.TYPE_CHECKING:` (any module alias). */
const TYPE_CHECKING = /^(?:[A-Za-z_]\w*\.)?TYPE_CHECKING$/;
const MAIN_GUARD = /^__name__\s*==\s*(['"])__main__\1$|^(['"])__main__\2\s*==\s*__name__$/;
const START_CALL = /\.start\(\)/;
const DAEMON_FLAG = /daemon\s*=\s*True|setDaemon\(\s*True/;
/** Green-thread libraries: greenlets of one hub share its OS thread. */
const GREEN_PACKAGE = /^(?:greenlet|eventlet|gevent)(?:\.|$)/;
/** A join, or a `with` block an executor's tasks are submitted in: what JoinOrdering looks for. */
const JOIN_CALL = /\.join\(|Executor\(/;

const CALL: ReadonlySet<string> = new Set(['call']);

/** Methods that run before an object is visible to other threads. */
/** Methods of a reader-writer lock that return its read or write side as a context manager. */
const LOCK_SIDE_METHODS = /^(?:read|write|reader|writer|read_lock|write_lock|reading|writing|shared|exclusive|gen_[rw]lock)$/;

/** A file's or socket's other attributes (`stream.closed`, `f.name`). */
const STREAM_ATTRIBUTES: ReadonlySet<string> = new Set(['closed', 'name', 'mode', 'encoding', 'errors', 'buffer', 'newlines', 'readable', 'writable', 'seekable', 'isatty', 'settimeout', 'setblocking', 'shutdown']);

/** Built-ins that consume an object passed to them and keep no reference to it (`list(parser)`). */
const CONSUMING_BUILTINS: ReadonlySet<string> = new Set(['list', 'tuple', 'sorted', 'set', 'frozenset', 'dict', 'any', 'all', 'sum', 'min', 'max', 'len', 'str', 'repr', 'bool', 'bytes']);

/** The file and socket protocol's methods (see resolveCallable). */
const STREAM_PROTOCOL: ReadonlySet<string> = new Set(['read', 'read1', 'readline', 'readlines', 'readinto', 'write', 'writelines', 'flush', 'close', 'seek', 'tell', 'fileno', 'recv', 'recv_into', 'send', 'sendall']);

/** A function's documentation saying its callers hold a lock (read by documentedCallerLocks). */
const CALLER_HOLDS =
  /[^.\n]*(?:\bcallers?\b[^.]{0,40}?\b(?:hold|holds|holding|have\s+acquired|has\s+acquired)\s+(?:the\s+|a\s+|an\s+)?(?:[\w.\`'"]+\s+){0,2}?[\w.\`'"]*(?:lock|mutex)\w*|\bbe\s+called\s+(?:with|while\s+holding|within|under|inside|holding)\b[^.]{0,50}?\b(?:lock|mutex|held|acquired)\b|\bcalled\s+with\s+[^.]{0,40}?\b(?:held|acquired)\b|\block\s+must\s+be\s+(?:held|acquired)\b|\bassumes?\b[^.]{0,40}?\block\b[^.]{0,20}?\b(?:held|acquired|taken)\b|\bwith\s+[\w.]*lock\w*\s+held\b|\bcalled\s+(?:from|in)\s+[^.]{0,40}?\b(?:lock|mutex)\w*\s+(?:is\s+)?(?:already\s+)?(?:held|acquired|taken)\b|\b(?:already|you\s+are)\s+(?:already\s+)?holding\s+(?:the\s+|a\s+|an\s+)?[\w.\`'"]*(?:lock|mutex)\w*)[^.\n]*/i;

/** Calls that keep a callable to run later, or on another thread: what is held around them is not held then. */
const DEFERRING_CALLS = /^(?:append|appendleft|add|insert|extend|setdefault|put|put_nowait|register|unregister|connect|subscribe|on|bind|submit|map|apply_async|start_new_thread|call_soon\w*|call_later|call_at|run_in_executor|add_done_callback|add_\w+|set_\w+|continue_with|then|and_then|when_\w+|on_\w+|\w*[cC]allbacks?|addErrback|addBoth|listen|watch\w*|schedule\w*|defer\w*|Thread|Timer|Process|signal|finalize|partial|__setitem__)$/;

export const CONSTRUCTION_METHODS: ReadonlySet<string> = new Set(['__init__', '__new__', '__post_init__', '__attrs_post_init__', '__setstate__', '__init_subclass__', 'setUp', 'setUpClass', '__set_name__']);

/**
 * Hooks a standard-library base class calls from its own constructor: overriding them is construction
 * code too (`queue.Queue.__init__` calls `self._init(maxsize)`, `logging.Handler.__init__` calls
 * `createLock()`, `socketserver.TCPServer.__init__` binds and activates).
 */
const CONSTRUCTOR_HOOKS: ReadonlyArray<[RegExp, ReadonlySet<string>]> = [
  [/\b(?:Queue|LifoQueue|PriorityQueue)\b/, new Set(['_init'])],
  [/\b\w*Handler\b/, new Set(['createLock'])],
  [/\b\w*(?:TCP|UDP|HTTP|Unix\w*)Server\b/, new Set(['server_bind', 'server_activate'])],
];

/** Does a method of this name, in this class, run only while the object is being built? */
/** Decorators that leave a method a plain method, run when it is called. */
const TRANSPARENT_DECORATORS = /^(?:staticmethod|classmethod|(?:abc\.)?abstractmethod|(?:typing(?:_extensions)?\.)?(?:override|final))$/;

export function isConstructionMethod(name: string, classNode: Node | null): boolean {
  if (CONSTRUCTION_METHODS.has(name) || (classNode && boundAsConstructor(classNode).has(name))) return true;
  const bases = classNode?.childForFieldName('superclasses')?.text;
  return !!bases && CONSTRUCTOR_HOOKS.some(([base, hooks]) => hooks.has(name) && base.test(bases));
}

const constructorAliases = new WeakMap<Node, Set<string>>();

/** Each document's latest module context (ModuleModel.moduleContext), by its Source. */
const moduleContexts = new WeakMap<object, { parts: ReadonlyArray<string | number>; token: object }>();
const contextParts = new WeakMap<Node, string | number>();

/**
 * What a top-level statement or a class adds to the module context: a definition its kind and name (a
 * class its bases too), any other statement its node (a new node is a changed statement). Cached on
 * the node, whose text does not change while it lives.
 */
function contextPart(statement: Node): string | number {
  let part = contextParts.get(statement);
  if (part !== undefined) return part;
  const def = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  if (def?.type === 'class_definition') part = detached(`c:${def.childForFieldName('name')?.text}(${def.childForFieldName('superclasses')?.text ?? ''})`);
  else if (def?.type === 'function_definition') part = detached(`f:${def.childForFieldName('name')?.text}`);
  else part = statement.id;
  contextParts.set(statement, part);
  return part;
}

/** A class's lock and thread-local attributes, kept on its node with the module context they were found in. */
/** No lock held: one shared empty list for the hot paths that ask per access. */
const NO_LOCKS = Object.freeze([]) as unknown as string[];

const classLockFacts = new WeakMap<Node, { key: object; lockAttributes: string[]; threadLocalAttributes: string[]; lockAliases: Array<[string, string]> }>();

/**
 * Methods the class body binds to a constructor's name (`__init__ = __init_impl`, as code generated for
 * a sync and an async variant of one class does): they are the constructor.
 */
function boundAsConstructor(classNode: Node): Set<string> {
  let names = constructorAliases.get(classNode);
  if (names) return names;
  names = new Set();
  const body = classNode.childForFieldName('body');
  for (const statement of body ? namedChildren(body) : []) {
    const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
    const right = assignment?.childForFieldName('right');
    if (left?.type === 'identifier' && CONSTRUCTION_METHODS.has(left.text) && right?.type === 'identifier') names.add(detached(right.text));
  }
  constructorAliases.set(classNode, names);
  return names;
}

export type ModuleBindingKind = 'value' | 'class' | 'function' | 'import';

export interface ModuleBinding {
  kind: ModuleBindingKind;
  /** The assigned value (for `value`), or the definition node. */
  node: Node | null;
}

/**
 * Why a class's instances (or one field of them) may be reached by several threads at once. `weak`: the
 * evidence is about the object, not about this code, so only code that runs on threads is reported.
 */
export interface SharingEvidence {
  why: string;
  confidence: Confidence;
  weak: boolean;
  /** The evidence is this lock, held at some access of the field. */
  lock?: string;
  /** The evidence is the holder's: the instances are kept in shared state (containment.ts). */
  held?: boolean;
  /**
   * Shared between one thread and the object's holder, and only that: two accesses off the thread are
   * both the holder's, one side (no lock says that side is several threads).
   */
  holderSide?: boolean;
  /** With `holderSide`: the thread side may write the field (threadSideWrites.ts). */
  threadWrites?: boolean;
  /** Thread evidence where the object's other side is whoever holds it (not every importer: no module-level instance). */
  oneHolder?: boolean;
}

/** A field of `self` accessed inside a `with <lock>:` block: the lock and the 1-based line. */
export interface LockedField {
  lock: string;
  line: number;
}

/** classicProperties: accessors by property name, their ids, and the lambdas that call them. */
interface ClassicProperties {
  getter: Map<string, Node[]>;
  setter: Map<string, Node[]>;
  ids: Set<number>;
  lambdas: Node[];
}

export interface ClassInfo {
  node: Node;
  name: string;
  methods: Map<string, Node>;
  /** Attributes that hold a lock: class attributes and `self.x = threading.Lock()` in methods. */
  lockAttributes: Set<string>;
  /** Attributes that hold a `threading.local()`: what is stored through them is per thread. */
  threadLocalAttributes: Set<string>;
  /** Properties whose getter returns what a thread-local attribute holds (`return self._locals.buffer`): per thread too. */
  threadLocalProperties: Set<string>;
  /**
   * Locks that are another lock of the object: `self._cond = Condition(self._lock)` holds `_lock` while
   * held (attribute → the lock it is built on).
   */
  lockAliases: Map<string, string>;
  isThreadSubclass: boolean;
  /** The thread class it derives from, when it is a thread subclass: `Thread`, `QThread`, `QRunnable`. */
  threadBase?: string;
  /** A GUI toolkit object (a Qt widget or QObject, a GTK/Tk/wx/Kivy widget, a Designer form): used on one thread only. */
  guiConfined: boolean;
}

/** Bases that add no data attributes of their own: `object`, ABCs, typing's generics and protocols. */
const TRANSPARENT_BASE = /^(?:object|(?:abc\.)?ABC|(?:typing\.)?(?:Generic|Protocol)(?:\[.*\])?)$/s;

/** Calls that hand a callable to a GUI toolkit's own thread: signal connections, widget callbacks, idle and timer callbacks. */
const GUI_CALLBACK_REGISTRARS = /(?:^|\.)(?:connect|connect_after|connect_object|bind|bind_all|after|after_idle|idle_add|timeout_add|timeout_add_seconds|threads_add_idle|threads_add_timeout|CallAfter|CallLater|singleShot|Button|Checkbutton|Scale|Spinbox|Bind)$/;

/**
 * One binding a top-level statement makes, in order: `script` says whether an assignment binds for the
 * script only (true) or for importers (false); imports and definitions leave that as it was (undefined);
 * `ifAbsent` binds only a name not bound yet (`x += 1`).
 */
interface BindingOp {
  name: string;
  binding: ModuleBinding;
  script?: boolean;
  ifAbsent?: boolean;
}

const statementBindings = new WeakMap<Node, BindingOp[]>();

/** The bindings one top-level statement makes (see BindingOp). */
function bindingsOf(statement: Node): BindingOp[] {
  const ops: BindingOp[] = [];
  const bind = (name: string, binding: ModuleBinding, extra: { script?: boolean; ifAbsent?: boolean } = {}) => ops.push({ name: detached(name), binding, ...extra });
  // Under `if TYPE_CHECKING:` only type checkers see the names: no value is ever made there.
  let typingOnly = false;
  // Under `if __name__ == "__main__":` the module runs as a script: no importer sees those names.
  let scriptOnly = false;
  const visit = (node: Node) => visitAll(namedChildren(node));
  const visitAll = (statements: readonly Node[]) => {
    for (const stmt of statements) {
      switch (stmt.type) {
        case 'expression_statement':
          for (const e of namedChildren(stmt)) {
            if (e.type === 'assignment') {
              const value = typingOnly ? null : e.childForFieldName('right');
              for (const name of boundNames(e.childForFieldName('left'))) bind(name, { kind: 'value', node: value }, { script: scriptOnly });
            } else if (e.type === 'augmented_assignment') {
              for (const name of boundNames(e.childForFieldName('left'))) bind(name, { kind: 'value', node: null }, { ifAbsent: true });
            }
          }
          break;
        case 'function_definition':
        case 'class_definition':
        case 'decorated_definition': {
          const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
          const name = def?.childForFieldName('name')?.text;
          if (def && name) bind(name, { kind: def.type === 'class_definition' ? 'class' : 'function', node: def });
          break;
        }
        case 'import_statement':
        case 'import_from_statement':
          for (const item of namedChildren(stmt)) {
            if (item.type === 'aliased_import') bind(item.childForFieldName('alias')?.text ?? '', { kind: 'import', node: stmt });
            else if (item.type === 'dotted_name' && item.startIndex !== stmt.childForFieldName('module_name')?.startIndex) {
              bind(item.text.split('.')[0], { kind: 'import', node: stmt });
            }
          }
          break;
        case 'for_statement':
          for (const name of boundNames(stmt.childForFieldName('left'))) bind(name, { kind: 'value', node: null });
          visitBlocks(stmt);
          break;
        case 'if_statement': {
          const script = conjuncts(stmt.childForFieldName('condition')).some((c) => MAIN_GUARD.test(c.text));
          const typing = !script && TYPE_CHECKING.test(stmt.childForFieldName('condition')?.text ?? '');
          if (!script && !typing) {
            visitBlocks(stmt);
            break;
          }
          // The guarded body binds names for the script or the type checker only; the other branches as usual.
          const outer = { scriptOnly, typingOnly };
          if (script) scriptOnly = true;
          else typingOnly = true;
          const body = stmt.childForFieldName('consequence');
          if (body) visit(body);
          ({ scriptOnly, typingOnly } = outer);
          for (const c of namedChildren(stmt)) if (c.type.endsWith('clause')) visitBlocks(c);
          break;
        }
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
  visitAll([statement]);
  return ops;
}

export class ModuleModel implements LockResolver, CallableResolver {
  readonly imports: ImportTable;
  readonly bindings = new Map<string, ModuleBinding>();
  /** Module-level names bound only under `if __name__ == "__main__":` (a script's, no importer's). */
  private readonly scriptBindings = new Set<string>();
  readonly classes = new Map<number, ClassInfo>();
  private readonly classesByName = new Map<string, ClassInfo>();
  private readonly scopes = new Map<number, FunctionScope>();
  private readonly functionsByName = new Map<string, Node[]>();
  readonly threads: ThreadModel;

  private readonly lockTypes: readonly string[];
  /** Every call in the module, for "who calls this function?" questions. */
  private readonly calls: Node[] = [];
  private readonly callerLocks = new Map<number, string[]>();
  /** callee function id → the calls that may invoke it; built once, on the first callersOf. */
  private callersByCallee: Map<number, Node[]> | undefined;
  /** expr id → at id → functionsFor(expr, at): each call is resolved once. */
  private readonly resolved = new Map<number, Map<number, Node[]>>();
  /** Functions that are not methods, by name: module level, and nested per enclosing function. */
  private readonly topLevelFunctionsByName = new Map<string, Node[]>();
  private readonly nestedFunctionsByName = new Map<FunctionScope, Map<string, Node[]>>();
  /** Methods of any class, by name. */
  private readonly methodsByName = new Map<string, Node[]>();
  /** function id → local name → the right side of its first `name = …` in the function. */
  private readonly firstAssignments = new Map<number, Map<string, Node | null>>();
  private readonly sharedWhy = new Map<number, SharingEvidence | null>();
  private readonly lockedFieldsCache = new Map<number, Map<string, LockedField>>();
  private readonly containerFieldsCache = new Map<number, Set<string>>();
  private orderingModel: OrderingModel | undefined;
  private receiversInThreads: Map<string, Node> | undefined;
  /** Request-handler classes of threading servers → how they are served (their `self.server` is every request thread's). */
  requestHandlers: ReadonlyMap<number, string> = new Map();
  /** State declared `# guarded-by: LOCK` → the lock's name. */
  readonly guardedBy = new Map<string, { lock: string; node: Node }>();

  readonly root: Node;
  readonly index: SyntaxIndex;
  /**
   * Set while a first answer visits one definition (ModuleAnalysis.within): a module-wide list that is
   * asked by key (the writes of one state) answers for that key instead of being built whole; the full
   * analysis that follows builds it.
   */
  answeringOneDefinition = false;
  private readonly functionIndexById = new Map<number, number>();
  private contextToken: object | undefined;

  constructor(
    tree: Tree,
    readonly options: AnalysisOptions = {},
    index?: SyntaxIndex,
    /** The module's source, for cheap text gates (a word absent from the text needs no node walk). */
    private readonly source?: string,
  ) {
    const root = (this.root = tree.rootNode);
    this.index = index ?? new SyntaxIndex(tree);
    this.lockTypes = options.lockTypes ?? [];
    this.imports = new ImportTable([...this.index.all('import_statement'), ...this.index.all('import_from_statement')].map((e) => e.node), options.packageName, options.project?.toolkitShims);
    this.collectModuleBindings(root);
    this.collectDefinitions();
    for (const info of this.classes.values()) this.collectLockAttributes(info);
    this.collectThreadLocalProperties();
    const runs: Array<{ fn: Node; via: string; site?: Node; shares?: Node | null; threadClass?: boolean }> = [...this.classes.values()].filter((c) => c.isThreadSubclass).flatMap((c) => {
      const run = c.methods.get('run') ?? threadTargetMethod(c);
      return run ? [{ fn: run, via: !c.threadBase || c.threadBase === 'Thread' ? 'a threading.Thread subclass' : `a ${c.threadBase} subclass`, threadClass: true }] : [];
    });
    // A logging handler's `emit` runs on every thread that logs, holding the handler's own lock.
    for (const cls of this.loggingHandlers()) {
      const emit = cls.methods.get('emit')!;
      this.handlerEmits.add(emit.id);
      runs.push({ fn: emit, via: 'logging calls `emit` on every thread that logs', shares: cls.node });
    }
    // A gRPC servicer (`add_FooServicer_to_server(servicer, server)`): the server's thread pool runs its
    // RPC methods (UpperCamelCase, as protos name them), many at once, on the one servicer object.
    if (source === undefined || source.includes('Servicer_to_server')) {
      for (const call of this.calls) {
        const callee = call.childForFieldName('function');
        const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
        const servicer = name && /^add_\w+Servicer_to_server$/.test(name) ? positionalArguments(call)[0] : undefined;
        const cls = servicer?.type === 'call' ? this.classesByName.get(servicer.childForFieldName('function')?.text ?? '') ?? null : servicer ? this.classInfo(this.classOfBound(servicer, call)) : null;
        if (!cls) continue;
        const via = `${name}(${snippet(servicer!, 30)}, …): the gRPC server's thread pool runs its RPC methods`;
        const named = new Set<string>();
        for (const c of [cls, ...this.basesOf(cls)]) {
          for (const [method, fn] of c.methods) {
            if (!/^[A-Z]/.test(method) || named.has(method)) continue;
            named.add(method);
            runs.push({ fn, via, site: call, shares: cls.node });
          }
        }
      }
    }
    if (source === undefined || source.includes('Threading')) {
      const served = threadingServerHandlers(this.calls, this.imports, {
        classNamed: (name) => this.classesByName.get(name) ?? null,
        enclosingClass: (node) => this.scopeOf(node)?.classNode ?? null,
        classesNamedBy: (callee, at) => this.classesNamedBy(callee, at),
        classOfValue: (expr, at) => (expr.type === 'identifier' ? this.classOfBound(expr, at) : null),
        constructorParameters: (cls) => {
          const init = this.classes.get(cls.id)?.methods.get('__init__');
          return init ? parameterOrder(init).slice(1) : [];
        },
        lineage: (cls) => {
          const info = this.classes.get(cls.id);
          return info ? [info, ...this.basesOf(info)] : [];
        },
      }, source ?? root.text);
      runs.push(...served.entries);
      for (const { app, site, via } of served.applications) {
        const fns = this.functionsFor(app, site);
        const call = fns.length === 0 ? this.callMethodOf(app, site) : null;
        const shares = app.type === 'attribute' || call ? this.classOfBound(app, site) : null;
        for (const fn of call ? [call] : fns) runs.push({ fn, via, site, shares });
      }
      this.requestHandlers = served.handlerClasses;
    }
    const external: Array<[Node, string, boolean]> = [];
    for (const [local, via] of options.project?.threadEntries ?? []) {
      const fn = this.functionByLocalName(local);
      // A method of a class whose objects the other module's thread code is handed: as strong as a thread of its own.
      const handed = local.includes('.') && (!!options.project?.handedClasses?.has(local.slice(0, local.indexOf('.'))) || !!options.project?.selfCallEntries?.has(local));
      if (fn) external.push([fn, via, handed]);
    }
    const importedHandOvers = options.project?.handOverWrappers;
    const handOvers = source === undefined || (importedHandOvers?.size ?? 0) > 0 || (options.project?.handOverDecorators?.size ?? 0) > 0 || moduleMentions(root, HAND_OVER_WORDS);
    const threadOptions = {
      ...options,
      handOvers,
      ...(options.project?.spawnerWrappers ? { importedSpawners: options.project.spawnerWrappers } : {}),
      ...(importedHandOvers ? { importedHandOvers } : {}),
      ...(options.project?.handOverDecorators ? { importedHandOverDecorators: options.project.handOverDecorators } : {}),
      ...(options.project?.spawnerDecorators ? { importedSpawnerDecorators: options.project.spawnerDecorators } : {}),
    };
    this.threads = new ThreadModel(this.calls, (fn) => this.callsIn(fn), this.imports, this.scopes, [...runs], this, threadOptions, external);
    if (this.index.comments.some((c) => /guarded[-_]by/i.test(c.text))) this.collectGuardedBy();
  }

  /** Calls in a function's own body, or inside a lambda. */
  callsIn(fn: Node): Node[] {
    if (fn.type === 'lambda') return this.nodesWithin(fn, CALL);
    const scope = this.scopes.get(fn.id);
    return scope ? this.ownNodes(scope).filter((n) => n.type === 'call') : [];
  }

  private readonly assignmentsCache = new Map<number, Node[]>();

  /** The assignments directly in this function's own scope, in source order (computed once). */
  assignmentsOf(scope: FunctionScope): Node[] {
    let list = this.assignmentsCache.get(scope.node.id);
    if (!list) this.assignmentsCache.set(scope.node.id, (list = this.ownNodes(scope).filter((n) => n.type === 'assignment')));
    return list;
  }

  /** Nodes (of the indexed types) directly in this function's own scope, in source order. */
  ownNodes(scope: FunctionScope): Node[] {
    const i = this.functionIndexById.get(scope.node.id);
    return i === undefined ? [] : this.index.inFunction(i).map((e) => e.node);
  }

  /** Indexed nodes of `types` inside `node`, in the same function scope as `node`. */
  nodesWithin(node: Node, types: ReadonlySet<string>): Node[] {
    const scope = this.scopeOf(node);
    const i = scope ? this.functionIndexById.get(scope.node.id) ?? -1 : -1;
    return this.index.within(i, node.startIndex, node.endIndex, types);
  }

  isLockConstruction(value: Node | null): boolean {
    if (isLockConstruction(value, this.imports, this.lockTypes)) return true;
    // `_allocate_lock = _thread.allocate_lock` at module level, then `self._block = _allocate_lock()`.
    const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
    const bound = callee?.type === 'identifier' ? this.bindings.get(callee.text) : undefined;
    const factory = bound?.kind === 'value' && (bound.node?.type === 'attribute' || bound.node?.type === 'identifier') ? this.imports.qualify(bound.node) : null;
    return !!factory && isLockFactory(factory, this.imports, this.lockTypes);
  }

  /**
   * A module global bound to another module's callable: `os.register_at_fork`, `getattr(os,
   * "register_at_fork", None)`, either inside `cast(T, …)` — the callable's qualified name; else null.
   */
  aliasedCallable(name: string): string | null {
    const binding = this.bindings.get(name);
    let value = binding?.kind === 'value' ? binding.node : null;
    for (let hops = 0; value?.type === 'call' && hops < 3; hops++) {
      const callee = this.imports.qualify(value.childForFieldName('function')) ?? value.childForFieldName('function')?.text;
      const args = positionalArguments(value);
      if (callee === 'typing.cast' || callee === 'cast') value = args[1] ?? null;
      else if (callee === 'getattr' && args.length >= 2 && args[1].type === 'string') {
        const module = this.imports.qualify(args[0]);
        const attribute = args[1].text.replace(/^['"]|['"]$/g, '');
        return module && /^\w+$/.test(attribute) ? `${module}.${attribute}` : null;
      } else return null;
    }
    return value?.type === 'attribute' ? this.imports.qualify(value) : null;
  }

  /** Why instances of this class are shared between threads, or null when nothing says they are. */
  whyInstancesShared(cls: ClassInfo): string | null {
    return this.instanceSharing(cls)?.why ?? null;
  }

  /** What orders code against the threads (after-fork hooks, atexit handlers, writes before start()). */
  get ordering(): OrderingModel {
    if (this.orderingModel) return this.orderingModel;
    // Hooks need `register_at_fork`/`atexit` and finalisers `__del__` in the text: skip the walk otherwise.
    const known = this.source !== undefined;
    const gated = known && !moduleMentions(this.root, HOOK_WORDS);
    const starts = !known || moduleMentions(this.root, START_CALL);
    const contracts = !known || moduleMentions(this.root, ONE_THREAD_CONTRACT) || moduleMentions(this.root, NAMED_THREAD_CONTRACT) || moduleMentions(this.root, TEST_ONLY) || moduleMentions(this.root, NO_LOCK_NEEDED) ? this.index.functions : [];
    const daemons = known && moduleMentions(this.root, DAEMON_FLAG);
    const ordering = (this.orderingModel = new OrderingModel(gated ? [] : this.calls, gated ? [] : this.index.functions, this.imports, this, starts, contracts, daemons));
    // Module-level functions that no code here calls and that the other modules of the run call only at
    // their module level: they run while those modules are imported, before any thread of theirs.
    for (const fn of this.importTimeFunctions()) {
      ordering.markBodySequential(fn, `other modules call it only while they are imported or start up (${this.options.project?.importCallers!.get(this.scopes.get(fn.id)!.name)})`);
    }
    // A registration decorator a factory returns (`def getter(cls): def decorator(func): REG.append(func);
    // return func; return decorator`) runs where it is applied: when the decorated definition runs.
    if (this.source === undefined || /\breturn\s+\w+\s*$/m.test(this.source)) {
      for (const fn of this.registrationDecorators()) {
        ordering.markBodySequential(fn, `\`${this.scopes.get(fn.id)?.name}\` is a decorator that records what it decorates and returns it: it runs when the decorated definition runs (at import, for a module's definitions)`);
      }
    }
    // An application framework's start-up hook runs once, before the application serves anything.
    for (const method of this.startupHooks()) {
      ordering.markBodySequential(method, `Django calls \`AppConfig.ready()\` once, at start-up, before the application serves a request`);
    }
    // A hook a metaclass calls on the class it builds runs when the class statement runs: at import.
    const hooks = this.options.project?.classHooks;
    const local = this.metaclassHooks();
    if ((hooks?.size ?? 0) > 0 || local.size > 0) {
      for (const cls of this.classes.values()) {
        // A plain name (`cls.register()`) is a hook only of a class that names a metaclass; a private
        // protocol name (`__classinit__`) is one wherever a metaclass calls it.
        const header = cls.node.text.slice(0, (cls.node.childForFieldName('body')?.startIndex ?? cls.node.startIndex) - cls.node.startIndex);
        const declared = /metaclass\s*=|with_metaclass\(|add_metaclass\(/.test(header) || decoratorNames(cls.node).some((d) => /add_metaclass$/.test(d));
        for (const [name, method] of cls.methods) {
          if (!(local.has(name) || hooks?.has(name)) || !(declared || /^__\w+__$/.test(name))) continue;
          ordering.markBodySequential(method, `\`${name}\` is a class-creation hook: a metaclass calls it when the class statement runs, at import`);
        }
      }
    }
    return ordering;
  }

  private startup: Node[] | undefined;

  /**
   * Methods an application framework calls once at start-up, before it serves anything: `ready()` of a
   * Django `AppConfig` subclass (Django runs every app's `ready()` while it sets itself up).
   */
  startupHooks(): Node[] {
    if (this.startup) return this.startup;
    this.startup = [];
    if (this.source !== undefined && !/\bAppConfig\b/.test(this.source)) return this.startup;
    for (const cls of this.classes.values()) {
      const ready = cls.methods.get('ready');
      if (ready && /(?:^|[\s(,.])AppConfig\b/.test(cls.node.childForFieldName('superclasses')?.text ?? '')) this.startup.push(ready);
    }
    return this.startup;
  }

  private dedicated: DedicatedThreads | undefined;

  /** The one thread that runs this function's code and nothing else does (see dedicatedThreads.ts). */
  dedicatedThreadOf(scope: FunctionScope | null): DedicatedThread | null {
    if (!scope || this.threads.spawns.length === 0) return null;
    this.dedicated ??= new DedicatedThreads(this.threads.spawns, this.calls, this.source ?? this.root.text, {
      functionsFor: (expr, at) => this.functionsFor(expr, at),
      callsIn: (fn) => this.callsIn(fn),
      callersOf: (fn) => this.callersOf(fn),
      scopeOf: (node) => this.scopeOf(node),
      scopeOfDefinition: (fn) => this.scopes.get(fn.id) ?? null,
      nodeAt: (offset) => this.root.descendantForIndex(offset),
      isConstructionOnly: (scope) => this.isConstructionOnly(scope),
      boundToCalledLocal: (value) => this.boundToCalledLocal(value),
      freshInstance: (name, at, cls) => this.freshInstance(name, at, cls),
      methodsOf: (cls) => [...(this.classes.get(cls.id)?.methods.values() ?? [])],
      assignmentsIn: (scope) => this.assignmentsOf(scope),
      baseClasses: (cls) => {
        const info = this.classes.get(cls.id);
        return info ? this.basesOf(info).map((b) => b.node) : [];
      },
    }, !this.options.assumeConcurrent);
    return this.dedicated.threadOf(scope);
  }

  /**
   * Is `fn` called by a thread holding nothing — a thread's target, or under assume-concurrent any
   * public function? Not a method of a module-private class (`class _Buffer`) whose objects never leave
   * the module and which the module calls: only the module's own code holds such objects, so its calls
   * (and the locks they hold) are every call there is, as for a private helper.
   */
  isDirectEntry(fn: Node): boolean {
    if (!this.threads.isDirectEntry(fn)) return false;
    if (this.threads.isSpawnTarget(fn) || !this.options.assumeConcurrent) return true;
    const cls = fn.parent?.parent?.type === 'class_definition' ? this.classInfo(fn.parent.parent) : null;
    if (!cls || !/^_[^_]/.test(cls.name) || isImplicitDunder(fn.childForFieldName('name')?.text ?? '')) return true;
    if (this.escapesModule(cls)) return true;
    return !this.callersOf(fn).some((call) => this.scopeOf(call)?.node !== fn);
  }

  private escaping: Set<number> | undefined;

  /**
   * Do a private class's objects leave the module's code — returned (`return _Handle(…)`, a field or a
   * local made from it), yielded or handed to a call? Then whoever receives them calls its methods.
   * (One pass over the module's returns answers it for every class.)
   */
  private escapesModule(cls: ClassInfo): boolean {
    if (!this.escaping) {
      const out = (this.escaping = new Set<number>());
      const classOf = (value: Node | null | undefined, scope: FunctionScope | null): ClassInfo | null => {
        if (!value) return null;
        if (value.type === 'call') return this.classesByName.get(value.childForFieldName('function')?.text ?? '') ?? null;
        if (value.type === 'identifier' && scope) return this.instanceClass(value.text, scope);
        if (value.type === 'attribute' && scope?.receiver && value.childForFieldName('object')?.text === scope.receiver) return this.fieldClass(this.classInfo(scope.classNode), value.childForFieldName('attribute')?.text ?? '');
        return null;
      };
      // `yield _Handle(…)`, `callback(_Handle(…))`: made and handed on at once.
      for (const [name, c] of this.classesByName) {
        if (!/^_[^_]/.test(name)) continue;
        for (const call of this.callsNamed(name)) {
          const up = call.parent?.type === 'expression_list' ? call.parent.parent : call.parent;
          if (up?.type === 'return_statement' || up?.type === 'yield' || (up?.type === 'argument_list' && up.parent?.childForFieldName('function')?.text !== 'isinstance')) out.add(c.node.id);
        }
      }
      const text = this.source ?? this.root.text;
      for (const m of text.matchAll(/(?<![\w.])return\s+(?=[\w(])/g)) {
        const ret = this.root.descendantForIndex(m.index!).parent;
        if (ret?.type !== 'return_statement') continue;
        const scope = this.scopeOf(ret);
        const value = namedChildren(ret)[0];
        for (const v of value?.type === 'expression_list' ? namedChildren(value) : [value]) {
          const c = classOf(v, scope);
          if (c) out.add(c.node.id);
        }
      }
    }
    return this.escaping.has(cls.node.id);
  }

  /** `name` at `at` is a local of its function bound once, before `at`, to a new instance of `cls` (`x = Cls(…)`). */
  private freshInstance(name: Node, at: Node, cls: Node): boolean {
    const scope = this.scopeOf(at);
    if (name.type !== 'identifier' || !scope?.locals.has(name.text) || scope.parameters.has(name.text)) return false;
    const made = this.onlyBindingBefore(scope, name.text, at);
    const callee = made?.type === 'call' ? made.childForFieldName('function') : null;
    return callee?.type === 'identifier' && this.classesByName.get(callee.text)?.node === cls;
  }

  /** The value of the one assignment that binds local `name` in `scope`, when there is one and it comes before `at`. */
  private onlyBindingBefore(scope: FunctionScope, name: string, at: Node): Node | null {
    const bindings = this.assignmentsOf(scope).filter((a) => a.childForFieldName('left')?.text === name);
    return bindings.length === 1 && bindings[0].startIndex <= at.startIndex ? bindings[0].childForFieldName('right') : null;
  }

  /** Every dedicated thread that runs this function on its own objects (a base class's helper may have several). */
  dedicatedThreadsOf(scope: FunctionScope | null): readonly DedicatedThread[] {
    if (!scope || !this.dedicatedThreadOf(scope)) return [];
    return this.dedicated!.threadsOf(scope);
  }

  private importTime: Node[] | undefined;

  /** No code of the module calls `fn` but its own recursive calls (which run while it runs). */
  onlySelfCalls(fn: Node): boolean {
    return this.callersOf(fn).every((c) => c.startIndex >= fn.startIndex && c.endIndex <= fn.endIndex);
  }

  /** Module-level functions no code here calls and other modules of the run call only at their module level. */
  importTimeFunctions(): Node[] {
    if (this.importTime) return this.importTime;
    const out: Node[] = [];
    // Asked by name, of this module's own functions: news of other names does not make it stale (factReads.ts).
    const callers = this.options.project?.importCallers;
    if (callers) {
      for (const [name, fns] of this.topLevelFunctionsByName) {
        if (callers.has(name)) for (const fn of fns) if (this.onlySelfCalls(fn)) out.push(fn);
      }
    }
    return (this.importTime = out);
  }

  /** The evidence that instances of `cls` are shared, strongest first; null when nothing says they are. */
  instanceSharing(cls: ClassInfo): SharingEvidence | null {
    let evidence = this.sharedWhy.get(cls.node.id);
    if (evidence === undefined) this.sharedWhy.set(cls.node.id, (evidence = this.computeInstanceSharing(cls)));
    return evidence;
  }

  /**
   * Per-field sharing (Eraser's view: each field has its own lockset): a field some method accesses
   * holding a lock is meant to be shared, whatever the rest of the object is; the class's own evidence
   * covers every other field. Owning a lock says nothing about the fields the lock never guards.
   */
  fieldSharing(cls: ClassInfo, field: string): SharingEvidence | null {
    // A class that names its only thread-safe methods confines every field they never touch.
    const crossThread = this.documentedThreadSafeFields(cls);
    if (crossThread && !crossThread.has(field)) return null;
    if (this.documentedOneThreadFields(cls).has(field)) return null;
    const locked = this.lockedFields(cls).get(field);
    let own = this.instanceSharing(cls);
    // Shared with a thread that never touches this field: that thread is no evidence about it.
    if (own?.confidence === 'high' && !this.threadSideFields(cls).has(field)) own = this.otherEvidence(cls);
    // The thread touches this field: every other method touching it races with that thread. (A lock that
    // also guards it is kept: what is held in the field is shared only if it leaves that lock.)
    if (own && own.confidence === 'high') {
      // One holder: the object is shared with its thread and reached otherwise only through whoever
      // holds it (no module-level instance, no holder in shared state): two accesses off the thread are one side.
      const oneHolder = !locked && own.oneHolder && !this.otherEvidence(cls);
      return { ...own, weak: false, ...(locked ? { lock: locked.lock } : {}), ...(oneHolder ? { holderSide: true, threadWrites: this.threadSideWrites(cls).has(field) } : {}) };
    }
    if (locked) {
      return { why: `\`${field}\` is accessed holding \`${locked.lock}\` at line ${locked.line}, so it is meant to be shared`, confidence: 'medium', weak: false, lock: locked.lock };
    }
    return own;
  }

  private readonly oneThreadFieldsCache = new Map<number, Set<string>>();

  /**
   * Fields whose assignment in the class carries a comment giving them to one thread
   * (`self._timers = []  # Accessed only from the loop thread`): that thread's own.
   */
  private documentedOneThreadFields(cls: ClassInfo): Set<string> {
    let fields = this.oneThreadFieldsCache.get(cls.node.id);
    if (fields) return fields;
    fields = new Set();
    const text = this.source ?? this.root.text;
    // The comments are in source order: only those inside the class (a scan of all per class was
    // quadratic in a big module's size).
    const comments = this.index.comments;
    let lo = 0;
    for (let hi = comments.length; lo < hi; ) {
      const mid = (lo + hi) >>> 1;
      if (comments[mid].start < cls.node.startIndex) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < comments.length && comments[i].start < cls.node.endIndex; i++) {
      const comment = comments[i];
      if (!NAMED_THREAD_CONTRACT.test(comment.text)) continue;
      // The assignment the comment ends the line of (or the comment line right above it).
      const lineStart = text.lastIndexOf('\n', comment.start - 1) + 1;
      let line = text.slice(lineStart, comment.start);
      if (line.trim() === '') {
        const next = text.indexOf('\n', comment.start);
        line = next < 0 ? '' : text.slice(next + 1, text.indexOf('\n', next + 1) >>> 0);
      }
      const m = /^\s*(?:self|cls)\.(\w+)\s*(?::[^=]*)?=(?!=)/.exec(line) ?? /^\s*(\w+)\s*(?::[^=]*)?=(?!=)/.exec(line);
      if (m) fields.add(m[1]);
    }
    this.oneThreadFieldsCache.set(cls.node.id, fields);
    return fields;
  }

  private readonly threadFieldsCache = new Map<number, Set<string>>();
  private readonly threadSafeFieldsCache = new Map<number, Set<string> | null>();

  /**
   * When a method's docstring says it is the class's only thread-safe method ("This is the only
   * thread-safe method in `Connection`; all other manipulations must be performed from the
   * connection's thread"), the fields of `self` those methods (and the methods they call on `self`)
   * mention: the only state another thread can reach. Null when the class documents no such method.
   */
  private documentedThreadSafeFields(cls: ClassInfo): Set<string> | null {
    let fields = this.threadSafeFieldsCache.get(cls.node.id);
    if (fields !== undefined) return fields;
    const safe = [...cls.methods.values()].filter((m) => ONLY_THREAD_SAFE.test(docstringOf(m)));
    if (safe.length === 0) {
      this.threadSafeFieldsCache.set(cls.node.id, null);
      return null;
    }
    fields = new Set();
    const seen = new Set<Node>();
    const visit = (method: Node, depth: number): void => {
      if (seen.has(method) || depth > 3) return;
      seen.add(method);
      for (const m of method.text.matchAll(/(?<![\w.])self\.(\w+)(\s*\()?/g)) {
        fields!.add(m[1]);
        // Methods it calls run on its thread too; a bound method it hands on (a callback) does not.
        const callee = cls.methods.get(m[1]);
        if (callee && (m[2] || isProperty(callee))) visit(callee, depth + 1);
      }
    };
    for (const m of safe) visit(m, 0);
    this.threadSafeFieldsCache.set(cls.node.id, fields);
    return fields;
  }

  private branches: ThreadBranches | undefined;

  /**
   * Is `node` in a branch of its function that no thread-side call takes (threadBranches.ts: the
   * threads' calls all pass a constant that selects the other branch)?
   */
  offThreadBranch(node: Node, scope: FunctionScope): boolean {
    return this.threadBranches().offThreads(node, scope);
  }

  private threadBranches(): ThreadBranches {
    return (this.branches ??= new ThreadBranches({
      callersOf: (fn) => this.callersOf(fn),
      isOwnEntry: (fn) => this.threads.isOwnEntry(fn),
      externalThreadCalls: (fn) => {
        const scope = this.scopes.get(fn.id);
        const local = scope ? this.localNameOf(scope) : null;
        return (local && this.options.project?.threadCallArguments?.get(local)) || [];
      },
      scopeOf: (n) => this.scopeOf(n),
      onThread: (s) => {
        const entry = this.threads.entryFor(s);
        return !!entry && !entry.assumed;
      },
      isDirectEntry: (fn) => this.isDirectEntry(fn),
    }));
  }

  /** `scope`'s text with the branches no thread takes blanked out (offsets kept). */
  private threadSideText(scope: FunctionScope): string {
    const text = scope.node.text;
    const ranges = this.threadBranches().prunedRanges(scope);
    if (ranges.length === 0) return text;
    let out = text;
    for (const [start, end] of ranges) {
      const from = start - scope.node.startIndex;
      const to = end - scope.node.startIndex;
      out = out.slice(0, from) + ' '.repeat(to - from) + out.slice(to);
    }
    return out;
  }

  /** Fields of `self` that the class's methods reached from a thread entry mention (not assume-concurrent's). */
  private threadSideFields(cls: ClassInfo): Set<string> {
    let fields = this.threadFieldsCache.get(cls.node.id);
    if (fields) return fields;
    fields = new Set();
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      const entry = scope ? this.threads.entryFor(scope) : null;
      if (!scope?.receiver || !entry || entry.assumed) continue;
      // `self.x`, and the string forms `getattr(self, "x")`, `setattr(self, "x", …)`, `self.__dict__["x"]`.
      const r = scope.receiver;
      const uses = new RegExp(`(?<![\\w.])${r}\\.(\\w+)|(?:get|set|has|del)attr\\(\\s*${r}\\s*,\\s*['"](\\w+)|${r}\\.__dict__\\[\\s*['"](\\w+)`, 'g');
      for (const m of this.threadSideText(scope).matchAll(uses)) fields.add(m[1] ?? m[2] ?? m[3]);
    }
    this.threadFieldsCache.set(cls.node.id, fields);
    return fields;
  }

  private readonly otherEvidenceCache = new Map<number, SharingEvidence | null>();

  /** The class's sharing evidence other than a thread's (for the fields that thread never touches). */
  private otherEvidence(cls: ClassInfo): SharingEvidence | null {
    let evidence = this.otherEvidenceCache.get(cls.node.id);
    if (evidence === undefined) this.otherEvidenceCache.set(cls.node.id, (evidence = this.withoutThreadEvidence(cls, false)));
    return evidence;
  }

  private readonly threadWritesCache = new Map<number, Set<string>>();

  /** The fields the methods threads reach may write (a subset of threadSideFields, by the syntax). */
  private threadSideWrites(cls: ClassInfo): Set<string> {
    let fields = this.threadWritesCache.get(cls.node.id);
    if (fields) return fields;
    fields = new Set();
    const methods: FunctionScope[] = [];
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      const entry = scope ? this.threads.entryFor(scope) : null;
      if (scope?.receiver && entry && !entry.assumed) methods.push(scope);
    }
    if (methods.length > 0) {
      // The method's own nodes and its nested functions' (a closure it runs writes `self` too).
      const nodes = new Map<number, Node[]>(methods.map((m) => [m.node.id, this.ownNodes(m)]));
      for (const scope of this.allScopes()) {
        const outer = methods.find((m) => m !== scope && scope.node.startIndex >= m.node.startIndex && scope.node.endIndex <= m.node.endIndex);
        if (outer) nodes.get(outer.node.id)!.push(...this.ownNodes(scope));
      }
      for (const m of methods) {
        const onThreads = nodes.get(m.node.id)!.filter((n) => !this.offThreadBranch(n, m));
        for (const field of fieldsWritten(onThreads, m.receiver!)) fields.add(field);
      }
    }
    this.threadWritesCache.set(cls.node.id, fields);
    return fields;
  }

  private readonly containing = new Set<number>();

  /** Instances stored into shared state (see containment.ts); a cycle of holders proves nothing. */
  private heldInSharedState(cls: ClassInfo): SharingEvidence | null {
    if (this.containing.has(cls.node.id)) return null;
    this.containing.add(cls.node.id);
    try {
      return keptInSharedState(cls, this.containmentResolver);
    } finally {
      this.containing.delete(cls.node.id);
    }
  }

  private callsByCallee: Map<string, Node[]> | undefined;

  /** The calls whose callee is written exactly `name` (`Cls(…)`), indexed once per model. */
  callsNamed(name: string): readonly Node[] {
    if (!this.callsByCallee) {
      this.callsByCallee = new Map();
      for (const call of this.calls) push(this.callsByCallee, call.childForFieldName('function')?.text ?? '', call);
    }
    return this.callsByCallee.get(name) ?? [];
  }

  private readonly containmentResolver: ContainmentResolver = {
    callsOf: (name) => this.callsNamed(name),
    scopeOf: (node) => this.scopeOf(node),
    classOfScope: (scope) => this.classInfo(scope.classNode),
    fieldSharing: (cls, field) => this.fieldSharing(this.classes.get(cls.node.id)!, field),
    methodScopes: (cls) => [...this.classes.get(cls.node.id)!.methods.values()].flatMap((fn) => {
      const scope = this.scopes.get(fn.id);
      return scope?.receiver && !this.isConstructionOnly(scope) ? [scope] : [];
    }),
    heldLocks: (node) => this.heldLocks(node),
    onThread: (scope) => {
      const entry = this.threads.entryFor(scope);
      return !!entry && !entry.assumed;
    },
    onSeveralThreads: (scope) => {
      const entry = this.threads.entryFor(scope);
      return !!entry && !entry.assumed && !this.dedicatedThreadOf(scope);
    },
    nodeAt: (offset) => this.root.descendantForIndex(offset),
    moduleValue: (name) => {
      const binding = this.bindings.get(name);
      return binding?.kind === 'value' ? binding.node : undefined;
    },
  };

  private owners: OwnerRegions | undefined;

  /** The owner field when `node` runs only on the thread it names (see ownerThread.ts), else null. */
  ownerOnly(node: Node): string | null {
    const scope = this.scopeOf(node);
    if (!scope?.receiver || !scope.classNode) return null;
    this.owners ??= new OwnerRegions({ methodsOf: (fn) => this.classInfo(this.scopes.get(fn.id)?.classNode ?? null)?.methods ?? new Map() });
    return this.owners.ownerAt(node, scope.node, scope.receiver);
  }

  /** What assume-concurrent alone says of a class's instances (null when they are confined). */
  private assumedSharing(cls: ClassInfo): SharingEvidence | null {
    if (!this.options.assumeConcurrent || isConfinedByKind(cls) || this.isActor(cls)) return null;
    // Owned where it is made — here, or elsewhere in the run too (another module's `self.sample =
    // Sample()` under its lock) — unless it hands out its own bound methods (`bus.connect("message",
    // self.on_message)`): whoever runs those callbacks runs its code on another thread.
    const owned = this.ownedWhereMade(cls) || (this.classOfName(cls.name, cls.node) === cls && !!this.options.project?.ownedClasses?.has(cls.name));
    if (owned && !this.handsOutBoundMethods(cls)) return null;
    return { why: 'assume-concurrent: its instances may be used by several threads', confidence: 'low', weak: true };
  }

  private moduleConfined: boolean | undefined;

  /**
   * The module's own contract for every class in it: a module docstring saying its code is not
   * thread-safe or is used by one thread (the same wording a class docstring needs), or a
   * `# ftaudit: confined` comment at module level.
   */
  private generated: boolean | undefined;

  /**
   * A module its header marks as generated (`# Generated by generateDS.py`, `DO NOT EDIT`, `@generated`,
   * in the comments before its first statement or its docstring's opening): a code generator's data
   * bindings and stubs, which nobody audits by hand.
   */
  get generatedCode(): boolean {
    if (this.generated !== undefined) return this.generated;
    const first = this.root.namedChildren.find((n) => n?.type !== 'comment');
    const header = this.index.comments.filter((c) => c.start < (first?.startIndex ?? Infinity)).map((c) => c.text);
    return (this.generated = GENERATED_MARK.test(header.join('\n')) || GENERATED_MARK.test(docstringOf(this.root).slice(0, 300)));
  }

  /** Does the class (or its module) say its objects are used by one thread at a time? */
  documentsConfinement(cls: ClassInfo): boolean {
    return isDocumentedConfined(cls) || this.moduleDocumentsConfinement();
  }

  private moduleDocumentsConfinement(): boolean {
    if (this.moduleConfined !== undefined) return this.moduleConfined;
    const doc = docstringOf(this.root);
    const comment = this.index.comments.some((c) => /^#\s*ftaudit:\s*confined\b/i.test(c.text) && this.root.descendantForIndex(c.start).parent === this.root);
    return (this.moduleConfined = CONFINED_DOC.test(doc) || comment);
  }

  /**
   * An actor of an actor framework (Thespian's `Actor`, `ActorTypeDispatcher`; pykka's `ThreadingActor`,
   * `GeventActor`…), directly or through a class of the module: the framework runs its handlers on the
   * actor's own thread (or process), one message at a time, and other code holds an address or a proxy,
   * never the object — its fields are confined to that thread.
   */
  private isActor(cls: ClassInfo): boolean {
    // Asked per class: the text gate is cached per top-level statement (a whole-text scan per class cost ms).
    if (this.source === undefined || !moduleMentions(this.root, ACTOR_FRAMEWORK)) return false;
    const direct = (c: ClassInfo) => this.namesBase(c, ACTOR_BASE);
    return direct(cls) || this.basesOf(cls).some(direct);
  }

  /** Does the class list a base whose qualified name matches `re`? */
  private namesBase(cls: ClassInfo, re: RegExp): boolean {
    const bases = cls.node.childForFieldName('superclasses');
    return !!bases && namedChildren(bases).some((b) => re.test(this.imports.qualify(b) ?? ''));
  }

  /**
   * Fields the class's own code sets to a built-in container (`self._d = {}`, `= defaultdict(list)`,
   * `= items or []`, or a class attribute `_registry = {}`): the fields whose `add`/`pop`/`update` calls
   * change a container, rather than call some other object's method of the same name (`session.add`).
   */
  containerFields(cls: ClassInfo): Set<string> {
    let fields = this.containerFieldsCache.get(cls.node.id);
    if (fields) return fields;
    // A field a base class of the module makes a container (`self._groups = set()` in `Base.__init__`).
    fields = new Set(this.ownContainerFields(cls));
    for (const base of this.basesOf(cls)) for (const f of this.ownContainerFields(base)) fields.add(f);
    this.containerFieldsCache.set(cls.node.id, fields);
    return fields;
  }

  private readonly ownContainerFieldsCache = new Map<number, Set<string>>();

  private ownContainerFields(cls: ClassInfo): Set<string> {
    let fields = this.ownContainerFieldsCache.get(cls.node.id);
    if (fields) return fields;
    fields = new Set();
    const isContainer = (value: Node | null): boolean =>
      isMutableContainer(value) || (!!value && (value.type === 'boolean_operator' || value.type === 'conditional_expression') && namedChildren(value).some((c) => isMutableContainer(c)));
    const body = cls.node.childForFieldName('body');
    for (const stmt of body ? namedChildren(body) : []) {
      const e = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
      if (e?.type === 'assignment' && isContainer(e.childForFieldName('right'))) boundNames(e.childForFieldName('left')).forEach((n) => fields!.add(n));
    }
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      if (!scope?.receiver) continue;
      for (const n of this.ownNodes(scope)) {
        const left = n.type === 'assignment' ? n.childForFieldName('left') : null;
        if (left?.type === 'attribute' && left.childForFieldName('object')?.text === scope.receiver && isContainer(n.childForFieldName('right'))) {
          fields.add(left.childForFieldName('attribute')!.text);
        }
      }
    }
    this.ownContainerFieldsCache.set(cls.node.id, fields);
    return fields;
  }

  /**
   * The one kind of built-in container (`list`, `dict`, `set`) every assignment of `self.<field>` in the
   * class's methods makes, or null (never assigned so, or assigned something else too).
   */
  fieldContainerKind(cls: ClassInfo, field: string): 'list' | 'dict' | 'set' | null {
    const key = `${cls.node.id}:${field}`;
    let kind = this.containerKinds.get(key);
    if (kind === undefined) this.containerKinds.set(key, (kind = this.computeContainerKind(cls, field)));
    return kind;
  }

  private readonly containerKinds = new Map<string, 'list' | 'dict' | 'set' | null>();

  /**
   * The augmented operators that change what `self.<field>` holds in place and store the same object
   * back: those every value the class assigns to the field implements so — a built-in container, or an
   * object of a class (of this module, or of another module of the run) deriving from one or defining
   * `__iadd__` that returns `self`.
   */
  fieldInPlaceOperators(cls: ClassInfo, field: string): ReadonlySet<string> {
    let ops = null as ReadonlySet<string> | null;
    for (const value of this.fieldValuesIn(cls, field)) {
      const made = this.madeInPlaceOperators(value);
      ops = ops ? new Set([...ops].filter((op) => made.has(op))) : made;
      if (ops.size === 0) return ops;
    }
    return ops ?? new Set();
  }

  private madeInPlaceOperators(value: Node | null): ReadonlySet<string> {
    const kind = builtContainerKind(value);
    if (kind) return BUILTIN_IN_PLACE[kind];
    const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
    if (!callee) return NO_OPERATORS;
    const own = callee.type === 'identifier' ? this.classOfName(callee.text, value!) : null;
    if (own) return this.classInPlaceOperators(own);
    const imported = this.options.project?.inPlaceClasses?.get(this.imports.qualifyImported(callee) ?? '');
    return imported ? new Set(imported) : NO_OPERATORS;
  }

  private readonly inPlaceByClass = new Map<number, ReadonlySet<string>>();

  /** The augmented operators objects of `cls` implement in place: its nearest definition of each decides. */
  classInPlaceOperators(cls: ClassInfo): ReadonlySet<string> {
    let ops = this.inPlaceByClass.get(cls.node.id);
    if (ops) return ops;
    const decided = new Map<string, boolean>();
    for (const c of this.classLineage(cls)) {
      for (const [op, inPlace] of ownOperatorMethods(c.methods)) if (!decided.has(op)) decided.set(op, inPlace);
      const bases = c.node.childForFieldName('superclasses');
      for (const b of bases ? namedChildren(bases) : []) {
        if (this.classOfName(b.text, c.node)) continue;
        const inherited = baseInPlaceOperators(b) ?? this.options.project?.inPlaceClasses?.get(this.imports.qualifyImported(b) ?? '');
        for (const op of inherited ?? []) if (!decided.has(op)) decided.set(op, true);
      }
    }
    ops = new Set([...decided].filter(([, inPlace]) => inPlace).map(([op]) => op));
    this.inPlaceByClass.set(cls.node.id, ops);
    return ops;
  }

  private computeContainerKind(cls: ClassInfo, field: string): 'list' | 'dict' | 'set' | null {
    let kind: 'list' | 'dict' | 'set' | null = null;
    for (const value of this.fieldValuesIn(cls, field)) {
      const made = builtContainerKind(value);
      if (!made || (kind && made !== kind)) return null;
      kind = made;
    }
    return kind;
  }

  /** The values the class's methods assign to `self.<field>` (`self.x = value`, on their own receiver), in order. */
  private fieldValuesIn(cls: ClassInfo, field: string): Array<Node | null> {
    const out: Array<Node | null> = [];
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      if (!scope?.receiver) continue;
      for (const n of this.assignmentsOf(scope)) {
        const left = n.childForFieldName('left');
        if (left?.type === 'attribute' && left.childForFieldName('object')?.text === scope.receiver && left.childForFieldName('attribute')?.text === field) out.push(n.childForFieldName('right'));
      }
    }
    return out;
  }

  /**
   * Fields of `self` accessed inside a `with <lock>:` block of one of the class's methods → the first
   * such lock and block. Read from the block's text: reads count as much as writes for a lockset.
   */
  lockedFields(cls: ClassInfo): Map<string, LockedField> {
    let fields = this.lockedFieldsCache.get(cls.node.id);
    if (fields) return fields;
    fields = new Map();
    // Asked again while answering (a caller's lock question reaching this class's sharing): what is known so far.
    this.lockedFieldsCache.set(cls.node.id, fields);
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      if (!scope?.receiver || isConstructionMethod(scope.name, scope.classNode)) continue;
      const access = new RegExp(`(?<![\\w.])${scope.receiver}\\.(\\w+)`, 'g');
      // A helper every caller of which holds a lock (`_store` called only inside `with self._lock:`)
      // accesses the fields it touches holding that lock, as a `with` block in it would.
      // Two calls at least: one locked call of a one-off helper is where it happens to be used, not a
      // helper made to run under the lock.
      const helper = scope.name.startsWith('_') && !this.ownNodes(scope).some((n) => n.type === 'with_statement') && this.callersOf(method).filter((c) => this.scopeOf(c)?.node !== method).length >= 2;
      // So does a method a lock decorator wraps (`@serialized`, whose wrapper takes `self._lock`).
      const decorated = this.decoratorLocks(scope).filter((l) => l.startsWith(`${scope.receiver}.`) && !l.includes(' (held by the caller in '));
      const inherited =
        decorated.length > 0 ? decorated : helper ? this.locksHeldByEveryCaller(method, new Set()).filter((l) => l.startsWith(`${scope.receiver}.`) && !l.includes(' (held by the caller in ')) : [];
      if (inherited.length > 0) {
        const text = method.childForFieldName('body')?.text ?? '';
        for (const m of text.matchAll(access)) {
          const field = m[1];
          if (cls.lockAttributes.has(field) || fields.has(field) || `${scope.receiver}.${field}` === inherited[0]) continue;
          fields.set(field, { lock: inherited[0], line: method.childForFieldName('body')!.startPosition.row + 1 + countNewlines(text, m.index!) });
        }
      }
      for (const w of this.ownNodes(scope)) {
        // `async with` holds an asyncio lock: it says nothing about threads (locks.ts).
        if (w.type !== 'with_statement' || w.firstChild?.type === 'async') continue;
        const lock = withItems(w).find((item) => this.isLock(item));
        if (!lock || this.isPerCallLock(lock, w) || acquiresResource(lock)) continue;
        const body = w.childForFieldName('body');
        const text = body?.text ?? '';
        for (const m of text.matchAll(access)) {
          const field = m[1];
          // `# else self.gc keeps the file open` inside the block is no access of `gc`.
          if (isProse(this.root.descendantForIndex(body!.startIndex + m.index!))) continue;
          if (cls.lockAttributes.has(field) || field === lock.text.split('.').pop() || fields.has(field)) continue;
          fields.set(field, { lock: lock.text, line: body!.startPosition.row + 1 + countNewlines(text, m.index!) });
        }
      }
    }
    this.lockedFieldsCache.set(cls.node.id, fields);
    return fields;
  }

  /**
   * A lock the call makes for itself (`lock = threading.Lock()`, `lock = make_lock()`, in this
   * function or the one it is nested in): it orders the call with its own callbacks, and says nothing
   * about other threads sharing the object. A local bound to a field or a global (`lock = self._lock`)
   * is that shared lock.
   */
  private isPerCallLock(lock: Node, at: Node): boolean {
    if (lock.type !== 'identifier') return false;
    for (let scope = this.scopeOf(at); scope; scope = scope.parent) {
      if (scope.parameters.has(lock.text) || scope.globals.has(lock.text)) return false;
      if (!scope.locals.has(lock.text)) continue;
      return this.firstAssignment(scope, lock.text)?.type === 'call';
    }
    return false;
  }

  private flags: Map<string, boolean> | undefined;
  private deadBranches: boolean | undefined;

  /** Code in a branch a constant condition rules out (`if USE_ASYNC:` with `USE_ASYNC = False`): it never runs. */
  isDeadCode(node: Node): boolean {
    if (this.deadBranches === undefined) {
      const moduleLevel = this.index.all('assignment').map((e) => e.node).filter((a) => a.parent?.parent?.type === 'module');
      this.flags = constantFlags(moduleLevel, this.index.all('global_statement').map((e) => e.node));
      const text = this.source ?? '';
      this.deadBranches = this.flags.size > 0 || this.source === undefined || /TYPE_CHECKING|\b(?:if|elif)\s+(?:False|None)\b/.test(text);
    }
    return this.deadBranches && inDeadBranch(node, this.flags!);
  }

  private readonly lockedReads = new Map<string, boolean>();

  /**
   * Does some method of the class read `self.<field>` while holding a lock (a test, an iteration, a
   * read-modify-write, a value passed on)? Blind writes — `self.f = v`, `self.f[k] = v`, one call of a
   * container's own mutating method (`self.f.add(x)`, each atomic on free-threaded CPython) — are all a
   * lock sees otherwise: they land in some order with the lock or without it.
   */
  readsUnderLock(cls: ClassInfo, field: string): boolean {
    const key = `${cls.node.id}.${field}`;
    let known = this.lockedReads.get(key);
    if (known !== undefined) return known;
    known = false;
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      if (!scope?.receiver || known) continue;
      const text = method.text;
      for (const m of text.matchAll(new RegExp(`(?<![\\w.])${scope.receiver}\\.${field}(?!\\w)(?!\\s*=(?!=))(?!\\[[^\\]\\n]*\\]\\s*=(?!=))(?!\\.(?:${MUTATOR_ALTERNATION})\\()`, 'g'))) {
        const node = this.root.descendantForIndex(method.startIndex + m.index!);
        if (!isProse(node) && this.heldLocks(node).length > 0) {
          known = true;
          break;
        }
      }
    }
    this.lockedReads.set(key, known);
    return known;
  }

  /** Module-level names used as call receivers (`METRICS.record()`) in thread code → first such call. */
  private threadReceivers(): Map<string, Node> {
    if (this.receiversInThreads) return this.receiversInThreads;
    const found = new Map<string, Node>();
    for (const call of this.calls) {
      const fn = call.childForFieldName('function');
      const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      if (object?.type !== 'identifier' || found.has(object.text) || !this.bindings.has(object.text)) continue;
      if (this.threads.entryFor(this.scopeOf(call))) found.set(object.text, call);
    }
    return (this.receiversInThreads = found);
  }

  private computeInstanceSharing(cls: ClassInfo): SharingEvidence | null {
    return this.withoutThreadEvidence(cls, true);
  }

  /**
   * The class's sharing evidence, strongest first; with `threads` false, leaving out the thread-entry
   * kinds (for a field the sharing thread never touches).
   */
  private withoutThreadEvidence(cls: ClassInfo, threads: boolean): SharingEvidence | null {
    // A Thread object's `run` is its own thread; the code holding the object (`stop()`, `close()`) is
    // another. The fields only the thread side touches stay its own (one writer, threadSideFields).
    if (cls.isThreadSubclass) return threads && cls.methods.has('run') ? { why: `its \`run\` runs on the thread each instance starts (a \`${cls.threadBase ?? 'Thread'}\` subclass), while other threads call its methods`, confidence: 'high', weak: true, oneHolder: true } : null;
    if (isDocumentedConfined(cls) || this.moduleDocumentsConfinement()) return null; // the contract: one thread at a time
    if (this.isActor(cls)) return null; // an actor framework hands it one message at a time
    const entry = threads ? this.threads.sharedInstances.get(cls.node.id) : undefined;
    if (entry) return { why: `its bound method runs on threads via ${entry.via}, line ${entry.site.startPosition.row + 1}`, confidence: 'high', weak: true, oneHolder: true };
    // Another module's thread code is handed its objects (`def _poll(self, backend: Backend): backend.fetch()`).
    const handed = threads && this.classOfName(cls.name, cls.node) === cls ? this.options.project?.handedClasses?.get(cls.name) : undefined;
    if (handed) return { why: `another module's thread code is handed its objects (${handed})`, confidence: 'high', weak: true, oneHolder: true };
    let singleton: string | null = null;
    for (const name of this.instancesByConstructor().get(cls.name) ?? []) {
      const use = threads ? this.threadReceivers().get(name) : undefined;
      if (use) return { why: `\`${name}\`, a module-level instance, is used from thread code at line ${use.startPosition.row + 1}`, confidence: 'high', weak: true };
      // A demo under `if __name__ == "__main__":` is the script's own: no caller shares it.
      if (!this.scriptBindings.has(name)) singleton ??= name;
    }
    // A GUI object lives on one thread by the toolkit's contract: only a thread that really reaches it shares it.
    if (cls.guiConfined) return null;
    if (singleton) return { why: `\`${singleton}\`, a module-level instance, is shared by every caller`, confidence: 'medium', weak: true };
    if (this.isDecoratorObject(cls)) return { why: 'its instances decorate functions, so every call of the decorated function shares one object', confidence: 'medium', weak: true };
    return this.heldInSharedState(cls) ?? this.assumedSharing(cls);
  }

  /**
   * Every instance this module makes is owned (constructionOwned): by the call that makes it, by an
   * owner that calls it only under its lock, or by an actor. RacerD's ownership, judged by the uses of
   * what the construction is bound to.
   */
  private ownedWhereMade(cls: ClassInfo): boolean {
    const sites = this.callsNamed(cls.name);
    return sites.length > 0 && sites.every((call) => this.constructionOwned(call, cls));
  }

  /**
   * Is the object this construction (`Cls(…)`) makes owned — by the call that makes it (bound to a local
   * only used through its attributes, or a temporary whose one call of the class's own method is all its
   * use: `Cls(data).parse()`), or by an object that keeps it in a private field and reaches into it only
   * holding its own lock (`self.sample = ExpDecayingSample(…)`, every `self.sample.update(v)` under
   * `with self.lock:`)? The owner's lock then serialises the component: its methods never run at once.
   * `cls` is null for a class of another module (a temporary of it is not judged).
   */
  constructionOwned(call: Node, cls: ClassInfo | null): boolean {
    // `Cls(data).parse()`: a temporary, used by this call only and dropped — unless the method hands
    // the object on (`return self`, a callback) or is not the class's own.
    const use = call.parent;
    if (use?.type === 'attribute' && use.childForFieldName('object')?.id === call.id && use.parent?.type === 'call' && use.parent.childForFieldName('function')?.id === use.id) {
      const method = cls?.methods.get(use.childForFieldName('attribute')?.text ?? '');
      return !!cls && !!method && !this.letsSelfEscape(cls, method, new Set());
    }
    // `Decompiler(code).ast`: built to read one result off it, then dropped — unless its construction
    // hands it on (`registry.add(self)` in `__init__`).
    // (Another module's class is judged by its use here alone: its module sees no construction of it.)
    if (use?.type === 'attribute' && use.childForFieldName('object')?.id === call.id && !(use.parent?.type === 'assignment' && use.parent.childForFieldName('left')?.id === use.id)) {
      // A bound method taken as a value (`Worker(q).run` handed on) carries the object with it.
      const member = cls?.methods.get(use.childForFieldName('attribute')?.text ?? '');
      const boundMethod = !!member && !decoratorNames(member).some((d) => /(?:^|\.)(?:cached_)?property$/.test(d));
      return !cls || (!boundMethod && this.constructionKeepsItself(cls));
    }
    // `list(shell_shlex(text))`: a built-in that consumes the object and keeps no reference to it.
    const consumer = use?.type === 'argument_list' && use.parent?.type === 'call' ? use.parent.childForFieldName('function') : null;
    if (consumer?.type === 'identifier' && CONSUMING_BUILTINS.has(consumer.text) && !this.bindings.has(consumer.text) && namedChildren(use!).length === 1) {
      return !cls || this.constructionKeepsItself(cls);
    }
    // `self.playback = pykka.traversable(PlaybackController(…))`: the wrapper marks the object reachable
    // through the actor's proxy — it is still the actor's.
    const wrapper = call.parent?.type === 'argument_list' && /(?:^|\.)traversable$/.test(call.parent.parent?.childForFieldName('function')?.text ?? '') ? call.parent.parent : null;
    const made = wrapper ?? call;
    const assignment = made.parent;
    const left = assignment?.type === 'assignment' && assignment.childForFieldName('right')?.id === made.id ? assignment.childForFieldName('left') : null;
    const scope = this.scopeOf(call);
    if (!left || !scope) return false;
    if (left.type === 'attribute') return this.actorField(left, scope) || this.ownerSerialisedField(left, scope);
    if (left.type !== 'identifier' || !(scope.locals.has(left.text) || scope.parameters.has(left.text))) return false;
    // Every other use of the local reaches into it (`x.parse()`), binds it again or tests it (`if x is
    // None`) — or, once, stores it in a field of the method's object (`sample = Cls(…)` … `self.sample =
    // sample`) that keeps it as above.
    let store: Node | null = null;
    for (const id of scope.node.childForFieldName('body')?.descendantsOfType('identifier') ?? []) {
      if (id.text !== left.text) continue;
      const parent = id.parent;
      if (!parent) return false;
      // `x.parse()` reaches into it; `self.x` is another name.
      if (parent.type === 'attribute') continue;
      if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id) continue;
      if (parent.type === 'assignment' && parent.childForFieldName('left')?.id === id.id) continue;
      if (parent.type === 'comparison_operator' && parent.namedChildren.some((c) => c?.type === 'none')) continue;
      if (parent.type === 'not_operator' || ((parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('condition')?.id === id.id)) continue;
      const field = parent.type === 'assignment' && parent.childForFieldName('right')?.id === id.id ? parent.childForFieldName('left') : null;
      if (field?.type !== 'attribute' || store) return false;
      store = field;
    }
    return !store || this.ownerSerialisedField(store, scope);
  }

  /** Does constructing `cls` keep the object to itself (its `__init__`, and what that calls on `self`, hands `self` to nobody)? */
  private constructionKeepsItself(cls: ClassInfo): boolean {
    const init = cls.methods.get('__init__') ?? this.basesOf(cls).map((b) => b.methods.get('__init__')).find((m) => !!m);
    return !init || !this.letsSelfEscape(cls, init, new Set());
  }

  /**
   * `self.f` in a method of an actor (isActor): what an actor keeps in its fields lives on the actor's
   * thread — other code holds a proxy or an address, and a proxy reaches the field's object (pykka's
   * `traversable`) through the actor's thread too.
   */
  private actorField(target: Node, scope: FunctionScope): boolean {
    const cls = this.receiverFieldClass(target, scope);
    return !!cls && this.isActor(cls);
  }

  /** The class of the method's object when `target` is one of its fields (`self.f`); null otherwise. */
  private receiverFieldClass(target: Node, scope: FunctionScope): ClassInfo | null {
    return scope.receiver && target.childForFieldName('object')?.text === scope.receiver && !scope.isClassMethod ? this.classInfo(scope.classNode) : null;
  }

  /**
   * `self.f` (the left of a store in a method of its class): a field the class keeps to itself (see
   * keptPrivate) whose object its methods call only holding a lock (or while constructing): the methods
   * of that object run serialised by the owner's lock.
   */
  private ownerSerialisedField(target: Node, scope: FunctionScope): boolean {
    const field = target.childForFieldName('attribute')?.text;
    const cls = this.receiverFieldClass(target, scope);
    if (!cls || !field) return false;
    const key = `${cls.node.id}.${field}`;
    let known = this.serialisedFields.get(key);
    if (known === undefined) {
      // Asked again while answering (an owner owned through its own component): not owned by that path.
      this.serialisedFields.set(key, false);
      known = this.keptPrivate(cls, field) && (this.reachedOnlyLocked(cls, field) || this.ownedObject(cls));
      this.serialisedFields.set(key, known);
    }
    return known;
  }

  /**
   * Are the objects of `cls` owned wherever they are made — in this module, or (project fact) in every
   * module of the run? Then what such an object keeps to itself is owned too (RacerD's ownership through
   * an owned owner: a per-call parser's private lexer).
   */
  private ownedObject(cls: ClassInfo): boolean {
    if (this.classOfName(cls.name, cls.node) !== cls) return false;
    if (this.options.project?.ownedClasses?.has(cls.name)) return true;
    return this.ownedWhereMade(cls);
  }

  private readonly serialisedFields = new Map<string, boolean>();

  /** Does every method of `cls` call into `self.<field>` holding a lock (or while constructing), at least once holding one? */
  private reachedOnlyLocked(cls: ClassInfo, field: string): boolean {
    let locked = 0;
    for (const method of cls.methods.values()) {
      const own = this.scopes.get(method.id);
      const receiver = own?.receiver;
      if (!own || !receiver) continue;
      const reach = new RegExp(`(?<![\\w.])${receiver}\\s*\\.\\s*${field}\\s*\\.\\s*\\w+\\s*\\(`, 'g');
      const mentioned = [...method.text.matchAll(reach)].length;
      if (mentioned === 0) continue;
      const calls = this.ownNodes(own).filter((n) => {
        const object = n.type === 'call' ? n.childForFieldName('function')?.childForFieldName('object') : null;
        return object?.type === 'attribute' && object.childForFieldName('object')?.text === receiver && object.childForFieldName('attribute')?.text === field;
      });
      // A call in a nested function or lambda (run who knows where) is not judged: not serialised.
      if (calls.length !== mentioned) return false;
      if (this.isConstructionOnly(own)) continue;
      for (const call of calls) {
        if (this.heldLocks(call).length === 0) return false;
        locked++;
      }
    }
    return locked > 0;
  }

  /** A class with `__call__` used as `@Cls(…)` / `@Cls` in this module: one instance serves every call. */
  /**
   * Does this method (or a method of the class it calls on `self`) hand the object on: `self` itself
   * passed, returned or stored (`return self`, `Handle(self)`), or a bound method of it taken as a
   * value (`loop.call_soon(self._run)`)? Judged by the text of the bodies.
   */
  private readonly boundMethodsHandedOut = new Map<number, boolean>();

  /**
   * Does a method of the class hand one of its own methods to something that calls it back later
   * (`bus.connect("message", self.on_message)`, `Thread(target=self.run)`, `loop.call_soon(self._tick)`)?
   * A visitor passing `self.visit` to `map()` does not.
   */
  private handsOutBoundMethods(cls: ClassInfo): boolean {
    let known = this.boundMethodsHandedOut.get(cls.node.id);
    if (known !== undefined) return known;
    known = false;
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      if (!scope?.receiver) continue;
      for (const call of this.ownNodes(scope)) {
        if (call.type !== 'call' || !CALLBACK_TAKER.test(ModuleModel.calleeName(call) ?? '')) continue;
        const args = call.childForFieldName('arguments');
        for (const arg of args ? namedChildren(args) : []) {
          const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
          const name = value?.type === 'attribute' && value.childForFieldName('object')?.text === scope.receiver ? value.childForFieldName('attribute')?.text : undefined;
          const target = name ? cls.methods.get(name) : undefined;
          if (target && !isProperty(target)) known = true;
        }
      }
      if (known) break;
    }
    this.boundMethodsHandedOut.set(cls.node.id, known);
    return known;
  }

  private letsSelfEscape(cls: ClassInfo, method: Node, seen: Set<Node>): boolean {
    if (seen.has(method)) return false;
    seen.add(method);
    const receiver = this.scopeOf(method.childForFieldName('body') ?? method)?.receiver;
    const body = method.childForFieldName('body')?.text ?? '';
    if (!receiver) return true;
    if (new RegExp(`(?<![\\w.])${receiver}\\b(?!\\s*\\.)`).test(withoutInspections(body, receiver))) return true;
    for (const m of body.matchAll(new RegExp(`(?<![\\w.])${receiver}\\s*\\.\\s*(\\w+)(\\s*\\()?`, 'g'))) {
      const callee = cls.methods.get(m[1]);
      if (!callee) continue;
      if (!m[2] || this.letsSelfEscape(cls, callee, seen)) return true;
    }
    return false;
  }

  private isDecoratorObject(cls: ClassInfo): boolean {
    if (!cls.methods.has('__call__') && !cls.methods.has('__enter__')) return false;
    if (this.decoratorNameSet().has(cls.name)) return true;
    // `def __call__(self, func): def wrapped(…): … self … return wrapped`: the instance wraps functions
    // and every call of the wrapped function goes through that one instance.
    const call = cls.methods.get('__call__');
    const receiver = call ? this.scopes.get(call.id)?.receiver : null;
    if (!call || !receiver) return false;
    const i = this.functionIndexById.get(call.id);
    const uses = new RegExp(`(?<![\\w.])${receiver}\\b`);
    // The nested function is what `__call__` hands back (`return wrapped`, `return wraps(f)(wrapped)`):
    // a `__call__` that runs work with local helpers (a `Parallel(…)(tasks)`) decorates nothing.
    const returned = call.descendantsOfType('return_statement').map((r) => namedChildren(r)[0]?.text ?? '');
    return this.index.functions.some((fn, j) => {
      if (this.index.functionParents[j] !== i || !uses.test(fn.text)) return false;
      const name = fn.childForFieldName('name')?.text;
      // Returned as an object (`wrapped`, an argument of `wraps(f)(wrapped)`), not called (`[step(x) …]`).
      return !!name && returned.some((r) => new RegExp(`(?<![\\w.])${name}\\b(?!\\s*\\()`).test(r));
    });
  }

  private decorators: Set<string> | undefined;
  /** Every decorator name used on a function of the module (`@Cls(…)` → `Cls`), read once. */
  private decoratorNameSet(): Set<string> {
    return (this.decorators ??= new Set(this.index.functions.flatMap((fn) => decoratorNames(fn))));
  }

  private constructedBindings: Map<string, string[]> | undefined;
  /** Module-level `NAME = Callee(…)` bindings by the callee's text, in binding order (read once, not per class). */
  private instancesByConstructor(): Map<string, string[]> {
    if (this.constructedBindings) return this.constructedBindings;
    const out = new Map<string, string[]>();
    for (const [name, binding] of this.bindings) {
      if (binding.kind !== 'value' || binding.node?.type !== 'call') continue;
      const callee = binding.node.childForFieldName('function')?.text;
      if (callee !== undefined) push(out, callee, name);
    }
    return (this.constructedBindings = out);
  }

  private changedByOtherThreads: boolean | undefined;

  /**
   * Is there any sign that this module runs code on several threads: threads of its own, a concurrency
   * import, or threads of other modules changing its globals? `asyncio` alone is none: one event loop
   * runs its coroutines and callbacks on one thread (what it hands to threads — `to_thread`,
   * `run_in_executor` — are thread entries of their own).
   */
  /** The module's source text. */
  get text(): string {
    return this.source ?? this.root.text;
  }

  /**
   * The module's concurrency is green threads (it imports greenlet, eventlet or gevent unconditionally, at
   * its top level — an import in a `try`, an `if` or a function is a module that also runs without them)
   * and it starts no OS thread of its own: its greenlets take turns on their hub's one thread, and free-threading changes
   * nothing there — what runs on another thread is handed over explicitly (the library's thread pool for blocking calls).
   */
  get greenThreadsOnly(): boolean {
    return (this.green ??= this.threads.spawns.length === 0 && importsAtTopLevel(this.root, GREEN_PACKAGE));
  }

  private green: boolean | undefined;

  get hasConcurrencyEvidence(): boolean {
    if (this.threads.hasEntries || this.imports.hasConcurrencyImport({ threadsOnly: true })) return true;
    this.changedByOtherThreads ??= [...(this.options.project?.containerChanges?.values() ?? [])].some((c) => c.onThread);
    return this.changedByOtherThreads;
  }

  /** The scope of the innermost function_definition containing `node`. */
  scopeOf(node: Node): FunctionScope | null {
    const indexed = this.index.functionOf(node);
    if (indexed !== undefined) return indexed >= 0 ? this.scopes.get(this.index.functions[indexed].id) ?? null : null;
    // Not indexed: up to the nearest ancestor that is a function, or indexed (its function is known),
    // without reading node types (each `.type` and `.parent` crosses into wasm).
    for (let n = node.parent; n; n = n.parent) {
      if (this.functionIndexById.has(n.id)) return this.scopes.get(n.id) ?? null;
      const fn = this.index.functionOf(n);
      if (fn !== undefined) return fn >= 0 ? this.scopes.get(this.index.functions[fn].id) ?? null : null;
    }
    return null;
  }

  /** `worker` → the module-level function; `Pool.run` → the method of a module-level class. */
  functionByLocalName(local: string): Node | null {
    const [first, second] = local.split('.');
    if (second === undefined) return this.functionsByName.get(first)?.find((f) => !this.scopes.get(f.id)?.parent && !this.scopes.get(f.id)?.classNode) ?? null;
    return this.classesByName.get(first)?.methods.get(second) ?? null;
  }

  /** The inverse of functionByLocalName, or null for nested functions. */
  localNameOf(scope: FunctionScope): string | null {
    if (scope.parent) return null;
    if (!scope.classNode) return scope.name;
    const cls = this.classInfo(scope.classNode);
    return cls && this.classesByName.get(cls.name) === cls ? `${cls.name}.${scope.name}` : null;
  }

  /** Every function scope in the module, in source order. */
  allScopes(): FunctionScope[] {
    return [...this.scopes.values()];
  }

  classInfo(classNode: Node | null): ClassInfo | null {
    return classNode ? this.classes.get(classNode.id) ?? null : null;
  }

  resolve(name: string, scope: FunctionScope | null) {
    return resolveName(name, scope, this.bindings);
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
      // `with self._lock.write():` — a reader-writer lock's side, taken through a method of the lock.
      return !!name && (isLockishName(name[name.length - 1]) || (name.length >= 2 && (LOCK_SIDE_METHODS.test(name[name.length - 1]) || this.lockingContextMethods().has(name[name.length - 1])) && isLockishName(name[name.length - 2])));
    }
    if (lockTableEntry(expr)) return true;
    const parts = dottedName(expr);
    if (!parts) return false;
    const last = parts[parts.length - 1];
    if (queueMutex(expr.text)) return true;
    if (parts.length === 1) {
      const binding = this.bindings.get(last);
      if (binding?.kind === 'value' && this.isLockConstruction(binding.node)) return true;
      const scope = this.scopeOf(expr);
      if (scope && this.localLockNames(scope).has(last)) return true;
      if (this.lockAlias(expr)) return true;
      if (this.entersLock(expr)) return true;
    } else if (parts.length === 2) {
      const scope = this.scopeOf(expr);
      // `with _STATE.gate:` where `_STATE = _State()` and the class sets `self.gate = Condition()`.
      const cls = this.classInfo(scope?.classNode ?? null) ?? this.classesByName.get(parts[0]) ?? this.instanceClass(parts[0], scope);
      if (cls?.lockAttributes.has(last)) return true;
    }
    return isLockishName(last);
  }

  private readonly loopOnly = new Map<number, boolean>();

  /**
   * A private plain function every caller of which is a coroutine (or such a function itself): it runs on the
   * event loop's thread, as they do (`async def _get(): … self._grow()`). Not a function handed out as
   * a callback or run anywhere else (it has no other caller the model can see).
   */
  onEventLoopOnly(scope: FunctionScope, visiting = new Set<number>()): boolean {
    const cached = this.loopOnly.get(scope.node.id);
    if (cached !== undefined) return cached;
    // A public function may be called from anywhere; a private one only by the callers seen here.
    // (Asked before the callers: finding them is the dear part.)
    if (scope.isAsync || !/^_(?!_)/.test(scope.name) || this.threads.isSpawnTarget(scope.node)) {
      this.loopOnly.set(scope.node.id, false);
      return false;
    }
    visiting.add(scope.node.id);
    // Recursive calls (a caller already being asked about) say nothing either way.
    const callers = this.callersOf(scope.node).filter((call) => !visiting.has(this.scopeOf(call)?.node.id ?? -1));
    const answer =
      callers.length > 0 &&
      callers.every((call) => {
        const caller = this.scopeOf(call);
        if (!caller) return false;
        for (let s: FunctionScope | null = caller; s; s = s.parent) if (s.isAsync) return true;
        return this.onEventLoopOnly(caller, visiting);
      }) &&
      !this.referencedAsValue(scope);
    visiting.delete(scope.node.id);
    if (visiting.size === 0) this.loopOnly.set(scope.node.id, answer);
    return answer;
  }

  /**
   * Is it a method of a GUI toolkit object (a Qt widget or QObject, a GTK/Tk/wx/Kivy widget, a Designer
   * form)? The toolkit runs those on the object's own thread only, by contract.
   */
  onGuiThread(scope: FunctionScope, visiting = new Set<number>()): boolean {
    // `@idle def add_op(…)`: whoever calls it, its body runs on the UI or loop thread.
    if (this.threads.handedOverBy(scope.node)) return true;
    // A plain class's handler too — unless a thread of the module uses the same object (a bound method of
    // it runs on one): then the handler's accesses race with the thread's, and are reported.
    if (scope.classNode)
      return (
        !!this.classInfo(scope.classNode)?.guiConfined ||
        (!scope.parent &&
          !!scope.receiver &&
          !this.threads.sharedInstances.has(scope.classNode.id) &&
          (this.guiHandlerFunction(scope, visiting) || this.buildsToolkitObjects(scope) || this.guiControllerMethod(scope) || this.guiOwnedMethod(scope)))
      );
    // A function nested in such a method and only handed to the toolkit as a signal handler or an idle
    // callback (`button.connect("clicked", on_add)`, `Button(command=on_add)`) runs there too.
    const parent = scope.parent;
    if (!parent) return this.guiHandlerFunction(scope, visiting) || this.buildsToolkitObjects(scope);
    if (!this.onGuiThread(parent, visiting)) return false;
    const body = parent.node.childForFieldName('body');
    if (!body) return false;
    const uses = [...body.text.matchAll(new RegExp(`(?<![\\w.])${scope.name}\\b(?!\\s*\\()`, 'g'))].length; // its own `def` is followed by `(`: not counted
    const registered = this.ownNodes(parent).filter((n) => n.type === 'call' && this.registersGuiCallback(n) && namedChildren(n.childForFieldName('arguments') ?? n).some((a) => a.text === scope.name || (a.type === 'keyword_argument' && a.childForFieldName('value')?.text === scope.name))).length;
    return uses > 0 && uses === registered;
  }

  private readonly toolkitHolders = new Map<number, boolean>();

  /**
   * A method of a plain class whose objects keep the toolkit's objects in their fields (`self.container =
   * Gtk.Box(…)` in one of its methods): such an object is the GUI's, touched on the toolkit's thread like
   * a widget — when no thread of the module reaches the method or uses the object (then FT220 reports
   * the worker's use of the widgets).
   */
  private guiControllerMethod(scope: FunctionScope): boolean {
    if (!scope.classNode || this.threads.isSpawnTarget(scope.node) || this.threads.realEntryFor(scope)) return false;
    const cls = this.classInfo(scope.classNode);
    return !!cls && this.holdsToolkitObjects(cls);
  }

  /**
   * A method of a class whose objects every module of the run makes on the GUI thread only (a main
   * window's download tracker, made in the window's `__init__`) — when no thread reaches the method.
   */
  private guiOwnedMethod(scope: FunctionScope): boolean {
    const cls = scope.classNode ? this.classInfo(scope.classNode) : null;
    return !!cls && !!this.options.project?.guiOwnedClasses?.has(cls.name) && !this.threads.isSpawnTarget(scope.node) && !this.threads.realEntryFor(scope);
  }

  /**
   * A plain class of a GUI module whose objects keep the toolkit's objects in their fields, and no thread
   * of the module uses one: the GUI's, like a widget (other modules' subclasses too, via the summary).
   */
  isGuiController(cls: ClassInfo): boolean {
    return !cls.guiConfined && !this.threads.sharedInstances.has(cls.node.id) && this.holdsToolkitObjects(cls);
  }

  private holdsToolkitObjects(cls: ClassInfo): boolean {
    if (!importsGuiToolkit(this.imports)) return false;
    let holds = this.toolkitHolders.get(cls.node.id);
    if (holds === undefined) {
      holds = false;
      for (const method of cls.methods.values()) {
        const own = this.scopes.get(method.id);
        if (!own?.receiver) continue;
        holds = this.assignmentsOf(own).some((a) => {
          const left = a.childForFieldName('left');
          const right = a.childForFieldName('right');
          const callee = right?.type === 'call' ? right.childForFieldName('function') : null;
          return left?.type === 'attribute' && left.childForFieldName('object')?.text === own.receiver && !!callee && (callee.type === 'identifier' || callee.type === 'attribute') && !!toolkitObjectMaker(callee.text, this.imports);
        });
        if (holds) break;
      }
      this.toolkitHolders.set(cls.node.id, holds);
    }
    return holds;
  }

  private readonly toolkitBuilders = new Map<number, boolean>();

  /**
   * A module-level function or a plain class's method of a GUI module that makes the toolkit's objects
   * (`Gtk.Window()`, `QtWidgets.QLabel(…)`, `tk.Button(…)`) in its own body, or through a class or
   * function of the module that does (`DiversionDialog(…)` whose `__init__` builds the window): the
   * toolkit requires that to happen on its thread, so the function runs there — when no thread of the
   * module reaches it (one that does is FT220's report). Another module calling it from a worker breaks
   * the toolkit's contract there, as calling a widget's method would.
   */
  private buildsToolkitObjects(scope: FunctionScope, visiting = new Set<number>()): boolean {
    const known = this.toolkitBuilders.get(scope.node.id);
    if (known !== undefined) return known;
    if (visiting.has(scope.node.id) || scope.parent || !importsGuiToolkit(this.imports)) return false;
    if (this.threads.isSpawnTarget(scope.node) || this.threads.realEntryFor(scope)) return false;
    visiting.add(scope.node.id);
    let answer = false;
    for (const call of this.callsIn(scope.node)) {
      const callee = call.childForFieldName('function');
      if (!callee || (callee.type !== 'identifier' && callee.type !== 'attribute')) continue;
      if (toolkitObjectMaker(callee.text, this.imports)) {
        answer = true;
        break;
      }
      // One of the module's own classes or functions that builds them (a dialog class, a `make_menu()`).
      if (callee.type !== 'identifier') continue;
      for (const fn of this.functionsFor(callee, call)) {
        const target = fn.type === 'class_definition' ? this.classInfo(fn)?.methods.get('__init__') : fn;
        const targetScope = target?.type === 'function_definition' ? this.scopes.get(target.id) : undefined;
        if (targetScope && this.buildsToolkitObjects(targetScope, visiting)) answer = true;
      }
      if (answer) break;
    }
    visiting.delete(scope.node.id);
    if (visiting.size === 0) this.toolkitBuilders.set(scope.node.id, answer);
    return answer;
  }

  private readonly guiHandlers = new Map<number, boolean>();

  /**
   * A module-level function, or a method of a plain class (a controller, a menu builder), of a GUI module
   * that the toolkit calls back on its thread: every mention of it as a value hands it to the toolkit
   * (`item.connect("activate", self.do_paste)`, `GLib.idle_add(f)`, `Button(command=f)`), every call of
   * it in the module is made from such code, and no thread of the module reaches it. (Other modules'
   * calls are not seen: one of them calling it from a thread is possible, as for a GUI object's method.)
   */
  private guiHandlerFunction(scope: FunctionScope, visiting: Set<number>): boolean {
    const known = this.guiHandlers.get(scope.node.id);
    if (known !== undefined) return known;
    if (visiting.has(scope.node.id) || scope.parent || !importsGuiToolkit(this.imports) || this.source === undefined) return false;
    visiting.add(scope.node.id);
    // Cheap tests first: the text scan below runs only for functions that pass them.
    const registered = this.guiRegisteredNames().has(scope.name);
    const callers = this.threads.isSpawnTarget(scope.node) || this.threads.realEntryFor(scope) ? null : this.callersOf(scope.node);
    let answer =
      !!callers &&
      (registered || callers.length > 0) &&
      callers.every((call) => {
        const caller = this.scopeOf(call);
        return !!caller && caller.node !== scope.node && this.onGuiThread(caller, visiting);
      });
    if (answer) {
      // Every mention of it as a value hands it to the toolkit. A method is mentioned through an object
      // (`self.do_paste`), a function by its name.
      const pattern = new RegExp(`${scope.classNode ? '(?<=\\.\\s*)' : '(?<![\\w.])'}${scope.name}\\b(?!\\s*\\()`, 'g');
      for (let m = pattern.exec(this.source); m && answer; m = pattern.exec(this.source)) {
        const at = this.root.descendantForIndex(m.index);
        if (at.parent?.type === 'function_definition' && at.parent.childForFieldName('name')?.id === at.id) continue;
        if (isProse(at)) continue;
        const value = at.parent?.type === 'attribute' && at.parent.childForFieldName('attribute')?.id === at.id ? at.parent : at;
        const argument = value.parent?.type === 'keyword_argument' ? value.parent : value;
        const call = argument.parent?.type === 'argument_list' ? argument.parent.parent : null;
        answer = call?.type === 'call' && this.registersGuiCallback(call);
      }
    }
    visiting.delete(scope.node.id);
    if (visiting.size === 0) this.guiHandlers.set(scope.node.id, answer);
    return answer;
  }

  private guiRegistered: Set<string> | undefined;

  /** Does the call hand a callable to the toolkit: a callback registration, or a hand-over (a project's own wrapper too)? */
  private registersGuiCallback(call: Node): boolean {
    return GUI_CALLBACK_REGISTRARS.test(call.childForFieldName('function')?.text ?? '') || this.threads.handOverPosition(call) !== undefined;
  }

  /** The names (last part) of the callables the module hands to the toolkit: `f` in `connect("clicked", self.f)`. */
  private guiRegisteredNames(): Set<string> {
    if (this.guiRegistered) return this.guiRegistered;
    const names = (this.guiRegistered = new Set<string>());
    for (const call of this.calls) {
      if (!this.registersGuiCallback(call)) continue;
      for (const a of namedChildren(call.childForFieldName('arguments') ?? call)) {
        const value = a.type === 'keyword_argument' ? a.childForFieldName('value') : a;
        const name = value?.type === 'identifier' ? value.text : value?.type === 'attribute' ? value.childForFieldName('attribute')?.text : undefined;
        if (name) names.add(name);
      }
    }
    return names;
  }

  /** Is the function named anywhere but in calls of it (a callback handed to a thread, a loop, an executor)? */
  private referencedAsValue(scope: FunctionScope): boolean {
    const text = this.source;
    if (text === undefined) return true;
    const pattern = new RegExp(`\\b${scope.name.replace(/[^\w]/g, '')}\\b(?!\\s*\\()`, 'g');
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      const at = this.root.descendantForIndex(m.index);
      // Its own `def` line names it too.
      if (at.parent?.type === 'function_definition' && at.parent.childForFieldName('name')?.id === at.id) continue;
      if (isProse(at)) continue;
      return true;
    }
    return false;
  }

  private readonly aliases = new Map<string, { cls: ClassInfo; field: string; site: Node } | null>();

  /**
   * `self.pending = pending` in `__init__`, where every `Feeder(…)` the module makes is made by one
   * other class's methods passing their own field (`Feeder(self._pending)` in `Executor`) — or
   * `self.pending = executor._pending`, every construction passing its own `self` — the field holds that
   * object, `Executor._pending`. Null when a construction passes anything else, or none is seen.
   */
  fieldAlias(cls: ClassInfo, field: string): { cls: ClassInfo; field: string; site: Node } | null {
    const key = `${cls.node.id}.${field}`;
    if (this.aliases.has(key)) return this.aliases.get(key)!;
    let answer: { cls: ClassInfo; field: string; site: Node } | null = null;
    const init = cls.methods.get('__init__');
    const scope = init ? this.scopes.get(init.id) : undefined;
    const stored = scope?.receiver ? this.assignmentsOf(scope).find((a) => a.childForFieldName('left')?.text === `${scope.receiver}.${field}`) : undefined;
    // `self.pending = pending` (the caller passes `self._pending`) or `self.pending = executor._pending`
    // (the caller passes itself).
    const right = stored?.childForFieldName('right');
    const param = right?.type === 'attribute' ? right.childForFieldName('object') : right;
    const through = right?.type === 'attribute' ? right.childForFieldName('attribute')?.text : undefined;
    if (scope && param?.type === 'identifier' && scope.parameters.has(param.text)) {
      const position = parameterOrder(init!).indexOf(param.text) - 1;
      for (const call of this.callsNamed(cls.name)) {
        const caller = this.scopeOf(call);
        const arg = keywordArgument(call, param.text) ?? (position >= 0 ? positionalArguments(call)[position] : undefined);
        const holder = caller?.receiver ? this.classInfo(caller.classNode) : null;
        const object = through ? arg?.text : arg?.type === 'attribute' ? arg.childForFieldName('object')?.text : undefined;
        const passed = through ?? arg?.childForFieldName('attribute')?.text;
        if (!holder || holder === cls || object !== caller!.receiver || !passed || (answer && (answer.cls !== holder || answer.field !== passed))) {
          answer = null;
          break;
        }
        answer ??= { cls: holder, field: passed, site: call };
      }
    }
    this.aliases.set(key, answer);
    return answer;
  }

  private aliasedTo: Map<string, string[]> | undefined;

  /**
   * The fields (`Cls.field`) that hold the container `key` names (`Executor._pending`) through
   * fieldAlias: changes made through them are changes of it.
   */
  fieldsAliasing(key: string): readonly string[] {
    if (!this.aliasedTo) {
      this.aliasedTo = new Map();
      for (const cls of this.classes.values()) {
        const init = cls.methods.get('__init__');
        const scope = init ? this.scopes.get(init.id) : undefined;
        if (!scope?.receiver) continue;
        for (const a of this.assignmentsOf(scope)) {
          const left = a.childForFieldName('left');
          const field = left?.type === 'attribute' && left.childForFieldName('object')?.text === scope.receiver ? left.childForFieldName('attribute')?.text : undefined;
          const alias = field ? this.fieldAlias(cls, field) : null;
          if (alias) push(this.aliasedTo, `${alias.cls.name}.${alias.field}`, `${cls.name}.${field}`);
        }
      }
    }
    return this.aliasedTo.get(key) ?? [];
  }

  private readonly helperLocks = new Map<number, string | null>();

  /**
   * `self._acquire_lock(timeout)` where the method acquires `self._lock` (`acquired =
   * self._lock.acquire(timeout=…)`, on every branch or some) and releases it nowhere: the caller holds
   * `self._lock` after the call (and releases it itself, in a `finally`).
   */
  lockAcquiredBy(call: Node): string | null {
    const fnExpr = call.childForFieldName('function');
    const object = fnExpr?.type === 'attribute' ? fnExpr.childForFieldName('object')?.text : undefined;
    // Only helpers named for it are resolved (`_acquire_transaction_lock`, `_lock_db`): every call statement asks.
    const name = fnExpr?.type === 'attribute' ? fnExpr.childForFieldName('attribute')?.text ?? '' : '';
    if (!object || !/acquire|lock/i.test(name) || /release|unlock/i.test(name)) return null;
    const callees = this.functionsFor(fnExpr!, call);
    if (callees.length !== 1) return null;
    const scope = this.scopes.get(callees[0].id);
    if (!scope?.receiver) return null;
    let lock = this.helperLocks.get(callees[0].id);
    if (lock === undefined) {
      const acquired = new Set<string>();
      const released = new Set<string>();
      for (const c of this.ownNodes(scope)) {
        if (c.type !== 'call') continue;
        const f = c.childForFieldName('function');
        const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : undefined;
        const receiver = f?.type === 'attribute' ? f.childForFieldName('object') : null;
        if (!receiver || !receiver.text.startsWith(`${scope.receiver}.`) || !this.isLock(receiver) || this.isSemaphore(receiver)) continue;
        if (method === 'acquire') acquired.add(receiver.text);
        else if (method === 'release') released.add(receiver.text);
      }
      const held = [...acquired].filter((l) => !released.has(l));
      lock = held.length === 1 ? held[0] : null;
      this.helperLocks.set(callees[0].id, lock);
    }
    return lock ? `${object}${lock.slice(scope.receiver.length)}` : null;
  }

  /** `sem`, `self._slots`: a name or field the module assigns a `Semaphore`/`BoundedSemaphore`. */
  isSemaphore(expr: Node): boolean {
    const parts = dottedName(expr);
    if (!parts) return false;
    const last = parts[parts.length - 1];
    if (/sem(aphore)?s?$/i.test(last)) return true;
    const made = (value: Node | null | undefined) => value?.type === 'call' && /Semaphore$/.test(this.imports.qualify(value.childForFieldName('function')) ?? '');
    if (parts.length === 1) return made(this.bindings.get(last)?.node);
    const cls = this.classInfo(this.scopeOf(expr)?.classNode ?? null);
    return !!cls && new RegExp(`\\.${last}\\s*=\\s*[\\w.]*Semaphore\\(`).test(cls.node.text);
  }

  /**
   * Locks held at `node`: those taken in its own function, or — when it takes none — the locks every
   * caller of the function holds (a helper only ever called under the lock).
   */
  heldLocks(node: Node): string[] {
    const own = heldLocks(node, this);
    const scope = this.scopeOf(node);
    const handed = scope ? this.handedOrProtocolLocks(node, scope) : NO_LOCKS;
    if (own.length > 0) {
      // Asked for every access: only a class with Condition aliases pays for the mapping.
      const aliased = scope?.receiver && (this.classInfo(scope.classNode)?.lockAliases.size ?? 0) > 0;
      const held = aliased ? own.map((lock) => this.canonicalLock(lock, scope)) : own;
      return handed.length > 0 ? [...held, ...handed] : held;
    }
    if (!scope) return [];
    if (handed.length > 0) return handed;
    const decorated = this.decoratorLocks(scope);
    return decorated.length > 0 ? decorated : this.locksHeldByEveryCaller(scope.node, new Set());
  }

  /** The locks held around every run of `scope`: its lock decorator's, or those every caller holds at its calls. */
  locksAround(scope: FunctionScope): string[] {
    const decorated = this.decoratorLocks(scope);
    return decorated.length > 0 ? decorated : this.locksHeldByEveryCaller(scope.node, new Set());
  }

  /** The locks this function itself holds at `node` (its `with` blocks and acquires; no caller's). */
  locallyHeldLocks(node: Node): string[] {
    return heldLocks(node, this);
  }

  private handedOrProtocolLocks(node: Node, scope: FunctionScope): string[] {
    const handed = this.handedOverLocks(node, scope);
    const protocol = this.protocolLocks(node, scope);
    return protocol.length === 0 ? handed : handed.length === 0 ? protocol : [...handed, ...protocol];
  }

  /** The text calls `.release(` somewhere: a protocol lock is possible. */
  private releasesLocks: boolean | undefined;
  /** class node id → token field → the protocol lock its holder holds (see protocolLocks). */
  private readonly protocolTokens = new Map<number, Map<string, string>>();
  /** function id → where its token test ends and the lock it proves held (null: no such test). */
  private readonly protocolGuards = new Map<number, { end: number; lock: string } | null>();

  /**
   * A protocol lock: one method takes it and leaves it held (`self._commit_lock.acquire()` in
   * `tpc_begin`), then stores the caller's token (`self._transaction = transaction`); another clears the
   * token and releases it (`tpc_finish`). A method that raises (or returns) unless its caller hands over
   * that token (`if transaction is not self._transaction: raise …`) runs inside the protocol from that
   * test on: only the caller holding the lock holds the token.
   */
  private protocolLocks(node: Node, scope: FunctionScope): string[] {
    if (!scope.receiver || !scope.classNode || !(this.releasesLocks ??= this.source !== undefined && this.source.includes('.release('))) return NO_LOCKS;
    let guard = this.protocolGuards.get(scope.node.id);
    if (guard === undefined) this.protocolGuards.set(scope.node.id, (guard = this.protocolGuard(scope)));
    return guard && node.startIndex >= guard.end ? [guard.lock] : NO_LOCKS;
  }

  private protocolGuard(scope: FunctionScope): { end: number; lock: string } | null {
    const cls = this.classInfo(scope.classNode);
    const receiver = scope.receiver!;
    if (!cls || !/\bis\s+not\s+|!=/.test(scope.node.text)) return null;
    const tokens = this.protocolTokensOf(cls);
    if (tokens.size === 0) return null;
    const body = scope.node.childForFieldName('body');
    for (const n of this.ownNodes(scope)) {
      if (n.type !== 'if_statement') continue;
      const condition = n.childForFieldName('condition');
      const consequence = n.childForFieldName('consequence');
      if (condition?.type !== 'comparison_operator' || !['raise_statement', 'return_statement'].includes(namedChildren(consequence ?? n)[0]?.type ?? '') || n.childForFieldName('alternative')) continue;
      if (!/^(?:is\s+not|!=)$/.test(condition.children.slice(1, -1).map((c) => c.text).join(' '))) continue;
      const [a, b] = namedChildren(condition);
      const token = [a, b].map((side) => (side?.type === 'attribute' && side.childForFieldName('object')?.text === receiver ? side.childForFieldName('attribute')?.text : undefined)).find((t) => t && tokens.has(t));
      const other = token ? [a, b].find((side) => side?.type === 'identifier') : undefined;
      if (!token || !other || !scope.parameters.has(other.text)) continue;
      // On the function's straight path: not inside a branch, a loop or a handler.
      let straight = true;
      for (let up = n.parent; up && up !== body; up = up.parent) if (up.type !== 'block' && up.type !== 'with_statement' && up.type !== 'with_clause') straight = false;
      if (straight) return { end: n.endIndex, lock: `${receiver}.${tokens.get(token)}` };
    }
    return null;
  }

  private protocolTokensOf(cls: ClassInfo): Map<string, string> {
    let tokens = this.protocolTokens.get(cls.node.id);
    if (tokens) return tokens;
    tokens = new Map();
    this.protocolTokens.set(cls.node.id, tokens);
    // lock attribute → the methods that acquire it without releasing it, and those that release it.
    const takers = new Map<string, FunctionScope[]>();
    const releasers = new Map<string, FunctionScope[]>();
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      if (!scope?.receiver) continue;
      const acquired = new Set<string>();
      const released = new Set<string>();
      for (const call of this.callsIn(method)) {
        const callee = call.childForFieldName('function');
        const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
        const verb = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
        if (object?.type !== 'attribute' || object.childForFieldName('object')?.text !== scope.receiver) continue;
        const lock = object.childForFieldName('attribute')!.text;
        if (verb === 'acquire') acquired.add(lock);
        else if (verb === 'release') released.add(lock);
      }
      for (const lock of acquired) if (!released.has(lock)) push(takers, lock, scope);
      for (const lock of released) if (!acquired.has(lock)) push(releasers, lock, scope);
    }
    const tokenSet = (scope: FunctionScope, cleared: boolean): Set<string> => {
      const out = new Set<string>();
      for (const a of this.assignmentsOf(scope)) {
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== scope.receiver || !right) continue;
        if (cleared ? right.type === 'none' : right.type === 'identifier' && scope.parameters.has(right.text)) out.add(left.childForFieldName('attribute')!.text);
      }
      return out;
    };
    for (const [lock, taking] of takers) {
      const releasing = releasers.get(lock) ?? [];
      if (releasing.length === 0) continue;
      const cleared = new Set(releasing.flatMap((r) => [...tokenSet(r, true)]));
      for (const taker of taking) for (const token of tokenSet(taker, false)) if (cleared.has(token)) tokens.set(token, lock);
    }
    return tokens;
  }

  /** thread entry id → the locks its constructor handed it and where the entry releases each. */
  private readonly handedOver = new Map<number, Array<{ lock: string; releasedAt: number }>>();

  /**
   * A lock the constructor takes and leaves held for the thread it starts, which releases it when its
   * set-up is done (`self._lock.acquire()` in `__init__`; `try: conn = self._connect() finally:
   * self._lock.release()` in `run`): whoever takes the lock meanwhile waits for that set-up, so what the
   * thread's entry does before the release holds the lock.
   */
  private handedOverLocks(node: Node, scope: FunctionScope): string[] {
    let handed = this.handedOver.get(scope.node.id);
    if (!handed) this.handedOver.set(scope.node.id, (handed = this.computeHandedOver(scope)));
    // Asked for every access: most functions are no such entry.
    return handed.length === 0 ? NO_LOCKS : handed.filter((h) => node.startIndex < h.releasedAt).map((h) => h.lock);
  }

  private computeHandedOver(scope: FunctionScope): Array<{ lock: string; releasedAt: number }> {
    const cls = scope.receiver && !scope.isClassMethod ? this.classInfo(scope.classNode) : null;
    const init = cls?.methods.get('__init__');
    const initScope = init ? this.scopes.get(init.id) : undefined;
    if (!cls || !initScope?.receiver || cls.lockAttributes.size === 0 || !this.threads.isSpawnTarget(scope.node)) return [];
    // `self.X.acquire()` / `.release()` as statements, by field, in source order.
    const lockCalls = (where: FunctionScope, method: 'acquire' | 'release') =>
      this.ownNodes(where).filter((n) => {
        if (n.type !== 'call' || n.parent?.type !== 'expression_statement') return false;
        const path = dottedName(n.childForFieldName('function'));
        return path?.length === 3 && path[0] === where.receiver && path[2] === method && cls.lockAttributes.has(path[1]);
      });
    const field = (call: Node) => dottedName(call.childForFieldName('function'))![1];
    const releasedInInit = lockCalls(initScope, 'release');
    const kept = lockCalls(initScope, 'acquire').filter((a) => !releasedInInit.some((r) => r.startIndex > a.startIndex && field(r) === field(a)));
    const handed: Array<{ lock: string; releasedAt: number }> = [];
    for (const acquired of kept) {
      const release = lockCalls(scope, 'release').find((r) => field(r) === field(acquired));
      // Released in a loop, the lock is free again on the loop's next turn: no single point.
      if (release && !insideLoop(release, scope.node) && !handed.some((h) => h.lock.endsWith(`.${field(acquired)}`))) handed.push({ lock: `${scope.receiver}.${field(acquired)}`, releasedAt: release.startIndex });
    }
    return handed;
  }

  /**
   * The lock a held lock expression really takes: `self._cond` built on `self._lock` is `self._lock`
   * (so a check under one and a change under the other are under the same lock).
   */
  canonicalLock(lock: string, scope: FunctionScope | null): string {
    const receiver = scope?.receiver;
    const aliases = receiver && lock.startsWith(`${receiver}.`) ? this.classInfo(scope!.classNode)?.lockAliases : undefined;
    if (!aliases || aliases.size === 0) return lock;
    let field = lock.slice(receiver!.length + 1);
    for (let hops = 0; hops < 4 && aliases.has(field); hops++) field = aliases.get(field)!;
    return `${receiver}.${field}`;
  }

  /** `emit` methods of logging handlers: `Handler.handle()` calls them holding the handler's `self.lock`. */
  private readonly handlerEmits = new Set<number>();

  /**
   * Is the handler's own lock, held because `emit` runs under it, the only lock at `node`? It guards
   * that handler's state, not process-wide state every handler reads (a module's registry).
   */
  onlyHandlerLock(node: Node, scope: FunctionScope): boolean {
    if (this.handlerEmits.size === 0 || !scope.receiver || heldLocks(node, this).length > 0) return false;
    const cls = this.classInfo(scope.classNode);
    if (!cls || ![...cls.methods.values()].some((m) => this.handlerEmits.has(m.id))) return false;
    const held = this.heldLocks(node);
    return held.length > 0 && held.every((l) => l === `${scope.receiver}.lock`);
  }

  /**
   * Are the locks held at `node` (its own or its callers') all locks each object of its class makes for
   * itself (`self._lock = threading.Lock()` in a method)? They exclude the object's own threads from
   * each other, not the threads of another object of the class — not for process-wide state every
   * object changes. Not when the module keeps one object of the class (a module-level instance).
   */
  onlyPerObjectLocks(node: Node, scope: FunctionScope): boolean {
    if (!scope.receiver || scope.isClassMethod) return false;
    const cls = this.classInfo(scope.classNode);
    if (!cls || (this.instancesByConstructor().get(cls.name)?.length ?? 0) > 0) return false;
    const held = this.heldLocks(node);
    const prefix = `${scope.receiver}.`;
    return held.length > 0 && held.every((l) => l.startsWith(prefix) && this.lockMadePerObject(cls, l.slice(prefix.length)));
  }

  private lockMadePerObject(cls: ClassInfo, field: string): boolean {
    if (!/^\w+$/.test(field) || !cls.lockAttributes.has(field)) return false;
    let made = false;
    for (const c of this.classLineage(cls)) {
      const body = c.node.childForFieldName('body');
      // A class-level lock (`_lock = threading.Lock()` in the class body) is one for every object.
      if (body && new RegExp(`^[ \\t]*${field}\\s*(?::[^=\\n]*)?=`, 'm').test(namedChildren(body).filter((n) => n.type === 'expression_statement').map((n) => n.text).join('\n'))) return false;
      for (const value of this.fieldValuesIn(c, field)) {
        // Handed in (`self._lock = lock`), it may be one lock for many objects.
        if (!this.isLockConstruction(value)) return false;
        made = true;
      }
    }
    return made;
  }

  /**
   * Classes of the module that are `logging.Handler`s (through the standard library's handlers or this
   * module's own) with an `emit` and no `handle` of their own (which would decide the locking itself).
   */
  private loggingHandlers(): ClassInfo[] {
    if (!this.imports.isImported('logging') && ![...this.imports.starModules].some((m) => m.startsWith('logging')) && !this.index.all('import_from_statement').some((e) => /^from\s+logging\b/.test(e.node.text))) return [];
    const direct = (cls: ClassInfo) => this.namesBase(cls, /^logging\.(?:handlers\.)?\w*Handler$/);
    return [...this.classes.values()].filter((cls) => {
      if (!cls.methods.has('emit') || cls.methods.has('handle')) return false;
      return direct(cls) || this.basesOf(cls).some((b) => direct(b) && !b.methods.has('handle'));
    });
  }

  /** decorator function id → the locks its wrapper holds around every call of the wrapped function. */
  private readonly wrapperLocks = new Map<number, { self: string | null; locks: string[] }>();

  /**
   * Locks a function's body runs under because a decorator of this module wraps it: `@locked` where
   * `def locked(func): def wrapper(self, …): with self._lock: return func(self, …)` (the lock written
   * through the wrapper's first parameter becomes the method's receiver; a module-level lock stays).
   * A wrapper that checks under the lock and calls the function after releasing it holds nothing, and
   * neither does any wrapper of a generator or `async` function.
   */
  private readonly decoratedLocks = new Map<number, string[]>();

  private decoratorLocks(scope: FunctionScope): string[] {
    // Asked for every lock question about a node of a decorated function: once per function.
    let known = this.decoratedLocks.get(scope.node.id);
    if (!known) {
      known = this.computeDecoratorLocks(scope);
      if (this.handlerEmits.has(scope.node.id) && scope.receiver) known = [...known, `${scope.receiver}.lock`];
      const documented = this.documentedCallerLocks(scope);
      if (documented.length > 0) known = [...known, ...documented];
      this.decoratedLocks.set(scope.node.id, known);
    }
    return known;
  }

  /**
   * Locks the function's own documentation says its callers hold ("Caller must hold self._lock",
   * "Must be called within the connection lock", "Assume that the caller is holding the lock"): in its
   * docstring, or in the comments before its first statement. The lock is the one the text names
   * (`_waitpid_lock`, "connection lock" for `_connection_lock`) among the class's lock fields and the
   * module's locks; "the lock" names the only one there is.
   */
  private documentedCallerLocks(scope: FunctionScope): string[] {
    if (scope.node.type !== 'function_definition') return [];
    const asserted = this.assertedHeldLocks(scope);
    if (asserted.length > 0) return asserted;
    const body = scope.node.childForFieldName('body');
    const first = body ? namedChildren(body).find((c) => c.type !== 'comment') : undefined;
    let text = docstringOf(scope.node);
    if (!/lock|mutex|held/i.test(text) || text.length === 0) {
      const end = first?.startIndex ?? scope.node.endIndex;
      text = `${text}\n${this.commentsBetween(scope.node.startIndex, end).join('\n')}`;
    }
    // Every sentence CALLER_HOLDS reads names a lock or its being held: a cheap test first (the
    // expression itself is dear on long docstrings).
    const match = /lock|mutex|held|acquired/i.test(text) ? CALLER_HOLDS.exec(text) : null;
    const sentence = match?.[0];
    if (!match || !sentence || /\bnot\b|n't\b|\bnever\b/i.test(sentence)) return [];
    // The lock is named in that sentence (which a dotted name like `self._lock` cuts short) or just after.
    const said = text.slice(match.index, match.index + sentence.length + 60);
    const cls = scope.receiver && !scope.isClassMethod ? this.classInfo(scope.classNode) : null;
    // The class's lock fields, and fields named as locks whatever makes them (`ConnectionLock()`).
    const fields = new Set(cls?.lockAttributes ?? []);
    for (const m of cls ? cls.node.text.matchAll(new RegExp(`\\b${scope.receiver}\\.(\\w+)\\s*(?::[^=\\n]+)?=[^=]`, 'g')) : []) if (isLockishName(m[1])) fields.add(m[1]);
    const candidates: Array<[string, string]> = [
      ...[...fields].map((a): [string, string] => [a, `${scope.receiver}.${a}`]),
      ...this.moduleLockNames().map((n): [string, string] => [n, n]),
    ];
    const words = (name: string) => name.replace(/^_+/, '').replace(/_/g, ' ').toLowerCase();
    const named = candidates.filter(([name]) => new RegExp(`\\b${name}\\b`).test(said) || (words(name).includes(' ') && said.toLowerCase().includes(words(name))));
    if (named.length > 0) return named.map(([, lock]) => lock);
    // "The lock" of a method is its object's only lock, else the module's only one.
    const only = fields.size === 1 ? `${scope.receiver}.${[...fields][0]}` : fields.size === 0 && candidates.length === 1 ? candidates[0][1] : null;
    return only && /\bthe\s+lock\b|^\W*lock\s+must\b/im.test(sentence) ? [only] : [];
  }

  /**
   * Locks the function asserts are held as it starts (`assert self._lock.locked()`, also under a debug
   * flag: `if test_mode: assert …`): the same contract as a docstring's, checked when the flag is on.
   */
  private assertedHeldLocks(scope: FunctionScope): string[] {
    const body = scope.node.childForFieldName('body');
    if (!body || !/\bassert\b/.test(body.text)) return [];
    const held: string[] = [];
    const visit = (statements: Node[], depth: number) => {
      for (const statement of statements.filter((c) => c.type !== 'comment').slice(0, 4)) {
        if (statement.type === 'if_statement' && depth === 0) {
          const consequence = statement.childForFieldName('consequence');
          if (consequence) visit(namedChildren(consequence), 1);
          continue;
        }
        if (statement.type !== 'assert_statement') continue;
        const test = namedChildren(statement)[0];
        const callee = test?.type === 'call' ? test.childForFieldName('function') : null;
        const lock = callee?.type === 'attribute' && /^(?:locked|_is_owned|is_locked|is_owned)$/.test(callee.childForFieldName('attribute')?.text ?? '') ? callee.childForFieldName('object') : null;
        if (lock && this.isLock(lock)) held.push(lock.text);
      }
    };
    visit(namedChildren(body), 0);
    return held;
  }

  /** The comments that start between two offsets (the index keeps them in source order: a binary search). */
  private commentsBetween(from: number, to: number): string[] {
    const comments = this.index.comments;
    let lo = 0;
    let hi = comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (comments[mid].start <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < comments.length && comments[i].start < to; i++) out.push(comments[i].text);
    return out;
  }

  private moduleLocks: string[] | undefined;

  /** Module-level names bound once to a lock (`_LOCK = threading.Lock()`). */
  private moduleLockNames(): string[] {
    return (this.moduleLocks ??= [...this.bindings].filter(([, b]) => b.kind === 'value' && this.isLockConstruction(b.node)).map(([name]) => name));
  }

  /**
   * Libraries' method decorators that hold a lock of the object around the call: fasteners' `@locked`,
   * `@read_locked` and `@write_locked` (the object's `_lock`, or the attributes its `lock=` names; a
   * reader-writer lock's two modes taken as the one lock) and wrapt's `@synchronized` (a lock it
   * keeps on the object). Null for any other decorator.
   */
  private libraryLockDecorator(expr: Node, receiver: string): string[] | null {
    const call = expr.type === 'call' ? expr : null;
    const name = this.imports.qualify(call ? call.childForFieldName('function') : expr) ?? '';
    if (/^fasteners\.(?:lock\.)?(?:locked|read_locked|write_locked)$/.test(name)) {
      const named = call ? keywordArgument(call, 'lock') : null;
      if (!named) return call && positionalArguments(call).length > 0 ? null : [`${receiver}._lock`];
      const names = named.type === 'string' ? [named] : named.type === 'list' || named.type === 'tuple' ? namedChildren(named) : [];
      const attrs = names.map((n) => (n.type === 'string' ? /^[rbu]*['"]([A-Za-z_]\w*)['"]$/i.exec(n.text)?.[1] : undefined));
      return attrs.length > 0 && attrs.every((a) => a) ? attrs.map((a) => `${receiver}.${a}`) : null;
    }
    if (name === 'wrapt.synchronized' && !call) return [`${receiver}._synchronized_lock`];
    return null;
  }

  private computeDecoratorLocks(scope: FunctionScope): string[] {
    const parent = scope.node.parent;
    if (parent?.type !== 'decorated_definition') return [];
    // Calling a generator or a coroutine function only makes the generator or coroutine: its body
    // runs later, when iterated or awaited, after the wrapper has released the lock.
    if (scope.isAsync || this.ownNodes(scope).some((n) => n.type === 'yield')) return [];
    const out: string[] = [];
    for (const decorator of namedChildren(parent)) {
      if (decorator.type !== 'decorator') continue;
      const expr = namedChildren(decorator)[0];
      const library = scope.receiver && expr ? this.libraryLockDecorator(expr, scope.receiver) : null;
      if (library) {
        out.push(...library);
        continue;
      }
      if (expr?.type === 'call') {
        out.push(...this.factoryDecoratorLocks(expr, scope.receiver));
        continue;
      }
      if (expr?.type !== 'identifier' && expr?.type !== 'attribute') continue;
      // A decorator of the module, one written in the class body above the method (`def
      // with_lock(func)` beside the methods it decorates), or one another module of the run defines.
      const fn = expr.type === 'identifier' ? this.topLevelFunctionsByName.get(expr.text)?.[0] ?? this.classBodyDecorator(scope, expr.text) : undefined;
      const imported = fn ? undefined : this.options.project?.lockDecorators?.get(this.imports.qualifyImported(expr) ?? '');
      const wrapped = fn ? this.wrapperLocksOf(fn) : imported;
      for (const lock of wrapped?.locks ?? []) {
        const [head, ...rest] = lock.split('.');
        if (wrapped!.self !== null && head === wrapped!.self) {
          if (scope.receiver && rest.length > 0) out.push([scope.receiver, ...rest].join('.'));
        } else if (!lock.startsWith('@') && (imported || this.bindings.has(head))) out.push(lock);
      }
    }
    return out;
  }

  /**
   * `@synchronized(source.lock)`: a decorator factory whose wrapper holds the lock it was given
   * (`def synchronized(lock): def wrapper(fn): def inner(*a): with lock: return fn(*a)`) holds, around
   * each call of the decorated function, the lock the decoration passes — here or in another module of
   * the run (its lockDecorators entry names the parameter as `@0`).
   */
  private factoryDecoratorLocks(decoration: Node, receiver: string | null | undefined): string[] {
    const callee = decoration.childForFieldName('function');
    if (callee?.type !== 'identifier' && callee?.type !== 'attribute') return [];
    const fn = callee.type === 'identifier' ? this.topLevelFunctionsByName.get(callee.text)?.[0] : undefined;
    const locks = fn ? this.factoryLocksOf(fn) : (this.options.project?.lockDecorators?.get(this.imports.qualifyImported(callee) ?? '')?.locks ?? []);
    const args = positionalArguments(decoration);
    const out: string[] = [];
    for (const lock of locks) {
      const [given, fallback] = lock.split(' or ');
      const m = /^@(\d+)(.*)$/.exec(given);
      const arg = m ? args[Number(m[1])] : undefined;
      if (arg && (arg.type === 'identifier' || arg.type === 'attribute') && arg.text !== 'None') out.push(`${arg.text}${m![2]}`);
      // `@synchronized()`: no lock given, the wrapper takes the receiver's.
      else if (!arg && fallback && receiver && (decoration.childForFieldName('arguments')?.namedChildren.length ?? 0) === 0) out.push(`${receiver}.${fallback.slice('@self.'.length)}`);
    }
    return out;
  }

  /** A decorator factory's locks held around the decorated call, written `@i` for its i-th parameter (see factoryDecoratorLocks). */
  private factoryLocksOf(factory: Node): string[] {
    const params = parameterOrder(factory);
    const body = factory.childForFieldName('body');
    if (params.length === 0 || !body) return [];
    const returned = namedChildren(body).flatMap((stmt) => (stmt.type === 'return_statement' ? namedChildren(stmt) : [])).find((e) => e.type === 'identifier')?.text;
    const decorator = namedChildren(body)
      .map((stmt) => (stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt))
      .find((d) => d?.type === 'function_definition' && d.childForFieldName('name')?.text === returned);
    if (!decorator) return [];
    const out: string[] = [];
    for (const lock of this.wrapperLocksOf(decorator).locks) {
      const [given, fallback] = lock.split(' or ');
      const [head, ...rest] = given.split('.');
      const i = params.indexOf(head);
      if (i >= 0) out.push([`@${i}`, ...rest].join('.') + (fallback ? ` or ${fallback}` : ''));
    }
    return out;
  }

  /** A plain function of the method's own class body used as a decorator there (it takes the function, not `self`). */
  private classBodyDecorator(scope: FunctionScope, name: string): Node | undefined {
    const fn = this.classInfo(scope.classNode)?.methods.get(name);
    return fn && fn.id !== scope.node.id && decoratorNames(fn).length === 0 ? fn : undefined;
  }

  /**
   * The module's own lock decorators, for other modules that import them: name → the wrapper's first
   * parameter and the locks it holds around the call (written through that parameter, or qualified
   * module-level locks).
   */
  lockDecorators(module: string): Record<string, { self: string | null; locks: string[] }> {
    const out: Record<string, { self: string | null; locks: string[] }> = {};
    // A wrapper holds a lock in a `with` block or between an acquire() and its release().
    if (this.index.all('with_statement').length === 0 && !(this.source ?? this.root.text).includes('.acquire(')) return out;
    for (const [name, fns] of this.topLevelFunctionsByName) {
      const fn = fns[0];
      // Cheap test first: a wrapper is a nested function the decorator returns.
      if (!this.index.inFunction(this.functionIndexById.get(fn.id) ?? -1).some((e) => e.node.type === 'function_definition')) continue;
      const { self, locks } = this.wrapperLocksOf(fn);
      const exported = locks.filter((lock) => lock.split('.')[0] === self || this.bindings.has(lock.split('.')[0])).map((lock) => (lock.split('.')[0] === self ? lock : `${module}.${lock}`));
      if (exported.length > 0) out[name] = { self, locks: exported };
      else {
        const factory = this.factoryLocksOf(fn);
        if (factory.length > 0) out[name] = { self: null, locks: factory };
      }
    }
    return out;
  }

  private wrapperLocksOf(decorator: Node): { self: string | null; locks: string[] } {
    let known = this.wrapperLocks.get(decorator.id);
    if (known) return known;
    known = { self: null, locks: [] };
    this.wrapperLocks.set(decorator.id, known);
    const func = parameterOrder(decorator)[0];
    const body = decorator.childForFieldName('body');
    if (!func || !body) return known;
    // `return wrapper` names the nested function that stands in for the decorated one.
    const returned = namedChildren(body).flatMap((stmt) => (stmt.type === 'return_statement' ? namedChildren(stmt) : [])).find((e) => e.type === 'identifier')?.text;
    const wrapper = namedChildren(body)
      .map((stmt) => (stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt))
      .find((d) => d?.type === 'function_definition' && d.childForFieldName('name')?.text === returned);
    const wrapperScope = wrapper ? this.scopes.get(wrapper.id) : undefined;
    if (!wrapper || !wrapperScope) return known;
    const calls = this.ownNodes(wrapperScope).filter((n) => n.type === 'call' && n.childForFieldName('function')?.text === func);
    let common: string[] | null = null;
    for (const call of calls) {
      const held = heldLocks(call, this);
      common = common === null ? held : common.filter((l) => held.includes(l));
    }
    known.self = parameterOrder(wrapper)[0] ?? null;
    known.locks = (common ?? []).flatMap((lock) => this.wrapperLockSource(lock, wrapperScope, known.self) ?? []);
    return known;
  }

  /**
   * What a lock the wrapper holds through a local stands for: `held = lock` (the factory's
   * parameter, or a module-level lock) and, after it, a fallback to the wrapped call's receiver
   * (`if not held: held = getattr(args[0], "lock")`, `held = lock or self._lock`) — written
   * `lock or @self.lock`. A lock not held through a local is itself; null when the local's value is
   * anything else (the lock cannot be named).
   */
  private wrapperLockSource(lock: string, wrapper: FunctionScope, self: string | null): string | null {
    const [head, ...rest] = lock.split('.');
    if (!wrapper.locals.has(head) || wrapper.parameters.has(head)) return lock;
    const first = wrapper.node.childForFieldName('parameters')?.namedChildren[0];
    const splat = first?.type === 'list_splat_pattern';
    // The wrapped call's receiver: its first parameter, or the first of `*args`.
    const receiverField = (value: Node): string | null => {
      const [object, name] =
        value.type === 'attribute'
          ? [value.childForFieldName('object'), value.childForFieldName('attribute')?.text]
          : value.type === 'call' && value.childForFieldName('function')?.text === 'getattr'
            ? [positionalArguments(value)[0], /^['"](\w+)['"]$/.exec(positionalArguments(value)[1]?.text ?? '')?.[1]]
            : [null, undefined];
      if (!object || !name || !self) return null;
      const isReceiver = splat ? object.type === 'subscript' && object.childForFieldName('value')?.text === self && object.childForFieldName('subscript')?.text === '0' : object.text === self;
      return isReceiver ? `@self.${name}` : null;
    };
    const sources: string[] = [];
    for (const a of this.assignmentsOf(wrapper)) {
      if (a.childForFieldName('left')?.text !== head) continue;
      let value = a.childForFieldName('right');
      // `lock = lock or self._lock`: the given lock, else the receiver's.
      const parts = value?.type === 'boolean_operator' && value.childForFieldName('operator')?.text === 'or' ? [value.childForFieldName('left'), value.childForFieldName('right')] : [value];
      for (value of parts) {
        if (!value) return null;
        const source = value.type === 'identifier' && value.text !== head ? value.text : receiverField(value);
        if (!source) return null;
        sources.push(source);
      }
    }
    // One source, or a given lock with the receiver's as its fallback.
    if (sources.length === 1 && !sources[0].startsWith('@self.')) return [sources[0], ...rest].join('.');
    if (sources.length === 2 && !sources[0].startsWith('@self.') && sources[1].startsWith('@self.') && rest.length === 0) return `${sources[0]} or ${sources[1]}`;
    return null;
  }

  /**
   * Calls that may invoke `fn`: calls by `fn`'s own name (`f()`, `x.f()`) that functionsFor resolves to
   * it, in source order. The inverse call graph is built once: each call is resolved once, not once per
   * function of its name (which made the cost grow with the square of the module's size when names recur).
   */
  callersOf(fn: Node): Node[] {
    if (!this.callersByCallee) {
      const few = this.callersByNameOf(fn);
      if (few) return few;
      const inverse: Map<number, Node[]> = (this.callersByCallee = new Map());
      const add = (f: Node, site: Node) => {
        const list = inverse.get(f.id);
        if (!list) inverse.set(f.id, [site]);
        else if (list[list.length - 1] !== site) list.push(site);
      };
      for (const call of this.calls) this.resolveCaller(call, add);
      // `self.name = v` (and `self.name += v`) in a method calls the setter of a property `name` of its
      // class or of a class related to it in the module; so does `self.pool.name = v` on a field made
      // from such a class. Other receivers are not resolved: a same-named plain attribute of another
      // class must not pass for a call.
      const setters = this.propertyAccessors('setter');
      if (setters.size > 0) {
        for (const type of ['assignment', 'augmented_assignment'] as const) {
          for (const { node } of this.index.all(type)) {
            const left = node.childForFieldName('left');
            const name = left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
            const candidates = name ? setters.get(name) : undefined;
            if (candidates) this.addAccessorCalls(left!, node, candidates, add);
          }
        }
      }
      // Likewise `self.name` read (`self.conn.cursor()`, `self.size += 1`) calls the getter of a property
      // `name`: a lazy initialisation in a getter only read under the lock runs under the lock.
      const getters = this.source === undefined ? new Map<string, Node[]>() : this.propertyAccessors('getter');
      // One pass over the text for every getter name (`.conn`, `.size`), each hit resolved to its node.
      const reads = getters.size > 0 ? this.source!.matchAll(new RegExp(`\\.(${[...getters.keys()].join('|')})\\b`, 'g')) : [];
      for (const m of reads) {
        const identifier = this.root.descendantForIndex(m.index! + 1);
        const attribute = identifier.parent;
        if (attribute?.type !== 'attribute' || attribute.childForFieldName('attribute') !== identifier) continue;
        const assigned = attribute.parent?.type === 'assignment' && attribute.parent.childForFieldName('left') === attribute;
        if (!assigned) this.addAccessorCalls(attribute, attribute, getters.get(m[1])!, add);
      }
      this.addItemProtocolCalls(add);
    }
    return this.callersByCallee.get(fn.id) ?? [];
  }

  /** The callee's name of a call (`f` of `f()` and `x.f()`). */
  private static calleeName(call: Node): string | undefined {
    const callee = call.childForFieldName('function');
    return callee?.type === 'identifier' ? callee.text : callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  }

  /** Adds the functions `call` may invoke, as callersOf's inverse graph counts them. */
  private resolveCaller(call: Node, add: (f: Node, site: Node) => void): void {
    const name = ModuleModel.calleeName(call);
    if (!name) return;
    // The call a property's lambda makes (`lambda self, v: self.setSize(v)`) is made at the property's
    // uses, which classicProperties gives the method as its callers.
    for (const lambda of this.classicProperties().lambdas) if (call.startIndex >= lambda.startIndex && call.endIndex <= lambda.endIndex) return;
    const callee = call.childForFieldName('function')!;
    if (!this.functionsByName.has(name)) {
      // A local bound to a method or function (`process = self._process_internal` … `process(msg)`).
      if (callee.type === 'identifier' && this.aliasBoundNames().has(name) && this.scopeOf(call)?.locals.has(name)) for (const f of this.functionsFor(callee, call)) add(f, call);
      return;
    }
    let resolved = false;
    for (const f of this.functionsFor(callee, call)) {
      if (this.scopes.get(f.id)?.name !== name) continue;
      add(f, call);
      resolved = true;
    }
    // `task.run()` on an object of unknown type: it may be this module's method of that name, or not.
    // (`self.x()` and `super().x()` reach the methods of the caller's own class and its bases.)
    if (!resolved && callee.type === 'attribute' && !BUILTIN_METHODS.has(name) && this.onUnknownObject(callee, call)) push(this.unresolvedMethodCalls, name, lastNameOf(callee.childForFieldName('object')));
  }

  /** Methods called on objects of unknown type (callersOf found no function for the call): name → the objects' last names. */
  private readonly unresolvedMethodCalls = new Map<string, string[]>();

  /** Is the method call's object neither the caller's own (`self`, `cls`) nor `super()`? */
  private onUnknownObject(callee: Node, call: Node): boolean {
    const object = callee.childForFieldName('object');
    if (!object || (object.type === 'call' && object.childForFieldName('function')?.text === 'super')) return false;
    const receiver = this.scopeOf(call)?.receiver;
    return !(object.type === 'identifier' && (object.text === receiver || object.text === 'self' || object.text === 'cls'));
  }

  /** call positions (into `calls`) by callee name, and those of calls through a local alias. */
  private callPositions: { byName: Map<string, number[]>; aliased: number[] } | undefined;
  /** name → (function id → callers), for the names asked before the whole inverse graph was built. */
  private readonly callersByName = new Map<string, Map<number, Node[]>>();
  private callsResolvedByName = 0;

  /**
   * callersOf for one function without the whole inverse graph: only the calls of its name (and calls
   * through local aliases) are resolved. The first answer after an edit asks about a few functions; the
   * full analysis asks about most, so once the calls resolved this way pass half the module's, the
   * caller builds the whole graph (null). Accessors and item methods, which statements call without a
   * call node, always take the whole graph. Same lists, in the same order, as the graph gives.
   */
  private callersByNameOf(fn: Node): Node[] | null {
    const name = this.scopes.get(fn.id)?.name;
    if (!name || name === '__getitem__' || name === '__setitem__' || name === '__delitem__') return null;
    // Checked before the names already resolved: a property's accessor may share its name with a plain method.
    if (this.accessorIds().has(fn.id)) return null;
    const known = this.callersByName.get(name);
    if (known) return known.get(fn.id) ?? [];
    if (!this.callPositions) {
      const byName = new Map<string, number[]>();
      const aliased: number[] = [];
      const aliases = this.aliasBoundNames();
      this.calls.forEach((call, i) => {
        const callee = ModuleModel.calleeName(call);
        if (callee === undefined) return;
        if (this.functionsByName.has(callee)) push(byName, callee, i);
        else if (aliases.has(callee)) aliased.push(i);
      });
      this.callPositions = { byName, aliased };
    }
    const { byName, aliased } = this.callPositions;
    const own = byName.get(name) ?? [];
    if (this.callsResolvedByName + own.length + aliased.length > this.calls.length / 2) return null;
    this.callsResolvedByName += own.length + aliased.length;
    const found = new Map<number, Node[]>();
    const add = (f: Node, site: Node) => {
      const list = found.get(f.id);
      if (!list) found.set(f.id, [site]);
      else if (list[list.length - 1] !== site) list.push(site);
    };
    // Both lists are in source order: merge them, as the graph visits every call in order.
    for (let i = 0, j = 0; i < own.length || j < aliased.length; ) {
      const at = j >= aliased.length || (i < own.length && own[i] < aliased[j]) ? own[i++] : aliased[j++];
      this.resolveCaller(this.calls[at], (f, site) => {
        if (this.scopes.get(f.id)?.name === name) add(f, site);
      });
    }
    this.callersByName.set(name, found);
    return found.get(fn.id) ?? [];
  }

  /**
   * `REGISTRY[k] = v`, `del REGISTRY[k]`, `REGISTRY[k]` on a module-level instance of a class of this
   * module call its `__setitem__`, `__delitem__`, `__getitem__`: a container class's item methods, run
   * under the lock its users hold around those statements, are called holding it.
   */
  private addItemProtocolCalls(add: (f: Node, site: Node) => void): void {
    if (this.source === undefined || !/def __(?:get|set|del)item__/.test(this.source)) return;
    const instances = new Map<string, ClassInfo>();
    for (const [name, binding] of this.bindings) {
      const value = binding.kind === 'value' ? binding.node : null;
      const made = value?.type === 'call' ? value.childForFieldName('function') : null;
      const cls = made?.type === 'identifier' ? this.classesByName.get(made.text) : undefined;
      if (cls && ['__getitem__', '__setitem__', '__delitem__'].some((m) => cls.methods.has(m)) && /^\w+$/.test(name)) instances.set(name, cls);
    }
    if (instances.size === 0) return;
    for (const m of this.source.matchAll(new RegExp(`\\b(${[...instances.keys()].join('|')})\\s*\\[`, 'g'))) {
      const identifier = this.root.descendantForIndex(m.index!);
      const subscript = identifier.parent;
      if (identifier.type !== 'identifier' || subscript?.type !== 'subscript' || subscript.childForFieldName('value') !== identifier) continue;
      const cls = instances.get(m[1])!;
      const parent = subscript.parent;
      const methods =
        parent?.type === 'delete_statement' || (parent?.type === 'expression_list' && parent.parent?.type === 'delete_statement')
          ? ['__delitem__']
          : parent?.type === 'assignment' && parent.childForFieldName('left') === subscript
            ? ['__setitem__']
            : parent?.type === 'augmented_assignment' && parent.childForFieldName('left') === subscript
              ? ['__getitem__', '__setitem__']
              : ['__getitem__'];
      for (const method of methods) {
        const fn = cls.methods.get(method);
        if (fn) add(fn, subscript);
      }
    }
  }

  /**
   * Property getters (`@property def name(self)`) or setters (`@name.setter def name(self, v)`) of the
   * module's classes, by property name.
   */
  private getters: Map<string, Node[]> | undefined;

  /** The property getters of its own class (or a related one) a method reads (`self.bytes`, not called). */
  gettersRead(fn: Node): Node[] {
    const scope = this.scopes.get(fn.id);
    if (!scope?.receiver || !scope.classNode || this.source === undefined || !/@property|\bproperty\(/.test(this.source)) return [];
    const getters = (this.getters ??= this.propertyAccessors('getter'));
    if (getters.size === 0) return [];
    const out: Node[] = [];
    for (const m of fn.text.matchAll(new RegExp(`(?<![\\w.])${scope.receiver}\\.(\\w+)\\b(?!\\s*[(=])`, 'g'))) {
      for (const getter of getters.get(m[1]) ?? []) {
        const owner = this.scopes.get(getter.id)?.classNode;
        if (owner && this.relatedClasses(owner, scope.classNode) && !out.includes(getter)) out.push(getter);
      }
    }
    return out;
  }

  private propertyAccessors(kind: 'getter' | 'setter'): Map<string, Node[]> {
    const out = new Map<string, Node[]>();
    for (const [name, fns] of this.functionsByName) {
      const accessors = fns.filter((f) => decoratorNames(f).includes(kind === 'getter' ? 'property' : `${name}.setter`));
      if (accessors.length > 0) out.set(name, accessors);
    }
    for (const [name, fns] of this.classicProperties()[kind]) out.set(name, [...(out.get(name) ?? []), ...fns.filter((f) => !out.get(name)?.includes(f))]);
    return out;
  }

  /** function id → `self.<name> = …` in it: each name's first assignment's end. */
  private readonly storesOnReceiver = new Map<number, Map<string, number>>();

  private receiverStores(scope: FunctionScope): Map<string, number> {
    let stores = this.storesOnReceiver.get(scope.node.id);
    if (stores) return stores;
    stores = new Map();
    for (const a of this.assignmentsOf(scope)) {
      const left = a.childForFieldName('left');
      if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== scope.receiver) continue;
      const name = left.childForFieldName('attribute')!.text;
      if (!stores.has(name)) stores.set(name, a.endIndex);
    }
    this.storesOnReceiver.set(scope.node.id, stores);
    return stores;
  }

  /**
   * `self.<name>(…)` where the class keeps a constructor argument there (`self._on_message =
   * on_message` in `__init__`): the callables this module's constructions of the class hand that
   * parameter (`Client(on_message=self._on_message)`). Thread reachability follows them: a client
   * the thread drives calls back into its holder on that thread.
   */
  storedCallables(callee: Node, at: Node): Node[] {
    if (callee.type !== 'attribute') return [];
    const scope = this.scopeOf(at);
    if (!scope?.receiver || callee.childForFieldName('object')?.text !== scope.receiver) return [];
    const cls = this.classInfo(scope.classNode);
    const init = cls?.methods.get('__init__');
    const initScope = init ? this.scopes.get(init.id) : undefined;
    if (!cls || !init || !initScope?.receiver) return [];
    const name = callee.childForFieldName('attribute')!.text;
    const cacheKey = `${init.id}:${name}`;
    let found = this.storedCallableByName.get(cacheKey);
    if (found) return found;
    found = [];
    let parameter: string | null = null;
    for (const a of this.assignmentsOf(initScope)) {
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type === 'attribute' && left.childForFieldName('object')?.text === initScope.receiver && left.childForFieldName('attribute')?.text === name && right?.type === 'identifier' && initScope.parameters.has(right.text)) parameter = right.text;
    }
    const index = parameter ? parameterOrder(init).indexOf(parameter) - 1 : -1;
    if (parameter && index >= 0) {
      for (const site of this.callsNamed(cls.name)) {
        const arg = keywordArgument(site, parameter) ?? positionalArguments(site)[index];
        if (arg && (arg.type === 'attribute' || arg.type === 'identifier')) found.push(...this.functionsFor(arg, site));
      }
    }
    this.storedCallableByName.set(cacheKey, found);
    return found;
  }

  private readonly storedCallableByName = new Map<string, Node[]>();

  private readonly storedFieldNames = new Map<number, Set<string>>();

  /** Does a method of `cls` (or of its module bases) assign `self.<name> = …`? */
  private storedOnSelf(cls: ClassInfo | null, name: string): boolean {
    if (!cls) return false;
    let names = this.storedFieldNames.get(cls.node.id);
    if (!names) {
      names = new Set();
      for (const c of [cls, ...this.basesOf(cls)]) {
        for (const method of c.methods.values()) {
          const scope = this.scopes.get(method.id);
          if (scope?.receiver) for (const stored of this.receiverStores(scope).keys()) names.add(stored);
        }
      }
      this.storedFieldNames.set(cls.node.id, names);
    }
    return names.has(name);
  }

  private accessors: Set<number> | undefined;

  /** Functions that run as a property's getter or setter (decorated, or named by `property(…)`). */
  private accessorIds(): Set<number> {
    if (this.accessors) return this.accessors;
    const ids = new Set(this.classicProperties().ids);
    for (const [name, fns] of this.functionsByName) {
      for (const f of fns) {
        const decorators = decoratorNames(f);
        if (decorators.includes('property') || decorators.includes(`${name}.setter`)) ids.add(f.id);
      }
    }
    return (this.accessors = ids);
  }

  private classic: ClassicProperties | undefined;

  /**
   * Properties declared in a class body as `size = property(getSize, setSize)` (or `fget=`/`fset=`), by
   * property name: the methods they run. A named method is that class's own; a lambda calling a method
   * on its first parameter (`lambda self, v: self.setSize(v)`) dispatches on the object, so the method
   * of every class of the module that derives from the declaring one counts too.
   */
  private classicProperties(): ClassicProperties {
    if (this.classic) return this.classic;
    const found: ClassicProperties = (this.classic = { getter: new Map(), setter: new Map(), ids: new Set(), lambdas: [] });
    if (this.source !== undefined && !this.source.includes('property(')) return found;
    for (const cls of this.classes.values()) {
      for (const statement of cls.node.childForFieldName('body')?.namedChildren ?? []) {
        const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
        const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
        const right = assignment?.childForFieldName('right');
        if (left?.type !== 'identifier' || right?.type !== 'call' || right.childForFieldName('function')?.text !== 'property') continue;
        const positional = positionalArguments(right);
        for (const [kind, at, keyword] of [['getter', 0, 'fget'], ['setter', 1, 'fset']] as const) {
          const accessor = keywordArgument(right, keyword) ?? positional[at];
          const methods = accessor ? this.classicAccessorMethods(cls, accessor) : [];
          if (methods.length === 0) continue;
          for (const m of methods) {
            push(found[kind], left.text, m);
            found.ids.add(m.id);
          }
          if (accessor!.type === 'lambda') found.lambdas.push(accessor!);
        }
      }
    }
    return found;
  }

  private classicAccessorMethods(cls: ClassInfo, accessor: Node): Node[] {
    if (accessor.type === 'identifier') {
      const own = cls.methods.get(accessor.text);
      return own ? [own] : [];
    }
    if (accessor.type !== 'lambda') return [];
    const receiver = accessor.childForFieldName('parameters')?.firstNamedChild;
    const body = accessor.childForFieldName('body');
    const callee = body?.type === 'call' ? body.childForFieldName('function') : null;
    const name = callee?.type === 'attribute' && callee.childForFieldName('object')?.text === receiver?.text ? callee.childForFieldName('attribute')?.text : undefined;
    if (!receiver || receiver.type !== 'identifier' || !name) return [];
    const out: Node[] = [];
    for (const c of this.classes.values()) {
      const method = c.methods.get(name);
      if (method && (c === cls || this.basesOf(c).includes(cls))) out.push(method);
    }
    return out;
  }

  /**
   * `self.name` at `site` (an attribute read or assignment) calls those of `accessors` that belong to the
   * method's class or a class related to it in the module. Other receivers are not resolved: a
   * same-named plain attribute of another class must not pass for a call.
   */
  private addAccessorCalls(target: Node, site: Node, accessors: Node[], add: (f: Node, site: Node) => void): void {
    const scope = this.scopeOf(site);
    const object = target.childForFieldName('object');
    if (!scope?.receiver || !object) return;
    // `self.name`, or `self.pool.name` on a field this module's class is made into (`self.pool = Pool()`).
    const own = this.classInfo(scope.classNode);
    const cls =
      object.text === scope.receiver
        ? own
        : object.type === 'attribute' && object.childForFieldName('object')?.text === scope.receiver
          ? this.fieldClass(own, object.childForFieldName('attribute')?.text ?? '')
          : null;
    if (!cls) return;
    const family = new Set([cls, ...this.basesOf(cls)].map((c) => c.node.id));
    for (const f of accessors) {
      const owner = this.classInfo(this.scopes.get(f.id)?.classNode ?? null);
      if (owner && (family.has(owner.node.id) || this.basesOf(owner).includes(cls))) add(f, site);
    }
  }

  private readonly startsThreadsDirectly = new Map<number, boolean>();
  private readonly orderedByCallers = new Map<number, boolean>();

  /**
   * `self._dispatcher.start()` where the same function bound `self._dispatcher` to a new object of a class
   * whose `start` starts a thread: this module's class (its method starts one itself) or another module's
   * of the run (`threadStarters` in the project facts). A service object started right after it is made,
   * as `t = Thread(…); t.start()` is.
   */
  startsThreadOnFreshObject(call: Node): boolean {
    const callee = call.childForFieldName('function');
    const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    const scope = object && method ? this.scopeOf(call) : null;
    if (!scope || !object || !method || (object.type !== 'identifier' && object.type !== 'attribute')) return false;
    const bindings = this.assignmentsOf(scope).filter((a) => a.endIndex <= call.startIndex && a.childForFieldName('left')?.text === object.text);
    const made = bindings[bindings.length - 1]?.childForFieldName('right');
    const maker = made?.type === 'call' ? made.childForFieldName('function') : null;
    if (!maker || (maker.type !== 'identifier' && maker.type !== 'attribute')) return false;
    const local = maker.type === 'identifier' ? this.classesByName.get(maker.text) : undefined;
    if (local) {
      const fn = local.methods.get(method);
      return !!fn && this.startsThreadItself(fn);
    }
    const qualified = this.imports.qualifyImported(maker);
    return !!qualified && !!this.options.project?.threadStarters?.has(`${qualified}.${method}`);
  }

  /**
   * The classes whose objects this module makes (constructor calls of its own module-level classes and of
   * imported names), split by where: in code that runs on the GUI thread, or anywhere else (module level,
   * worker or undecided code). Only in a module that imports a GUI toolkit; qualified names.
   */
  classesMade(module: string): { onGui: string[]; elsewhere: string[] } {
    const onGui = new Set<string>();
    const elsewhere = new Set<string>();
    if (!importsGuiToolkit(this.imports)) {
      // Outside GUI modules every construction counts against the class being the GUI's.
      for (const call of this.calls) {
        const q = this.classMadeBy(call, module);
        if (q) elsewhere.add(q);
      }
      return { onGui: [], elsewhere: [...elsewhere] };
    }
    for (const call of this.calls) {
      const q = this.classMadeBy(call, module);
      if (!q) continue;
      const scope = this.scopeOf(call);
      if (scope && !insideLambda(call) && !this.threads.realEntryFor(scope) && this.onGuiThread(scope)) onGui.add(q);
      else elsewhere.add(q);
    }
    return { onGui: [...onGui], elsewhere: [...elsewhere] };
  }

  /** The qualified class a call makes an object of (`Tracker()` of this module, `tracker.Tracker()` imported), or null. */
  private classMadeBy(call: Node, module: string): string | null {
    const callee = call.childForFieldName('function');
    if (!callee || (callee.type !== 'identifier' && callee.type !== 'attribute')) return null;
    const last = callee.type === 'identifier' ? callee.text : callee.childForFieldName('attribute')?.text ?? '';
    if (!/^[A-Z]/.test(last)) return null;
    if (callee.type === 'identifier') {
      const cls = this.classesByName.get(callee.text);
      if (cls) return cls.node.parent?.type === 'module' ? `${module}.${cls.name}` : null;
    }
    return this.imports.qualifyImported(callee);
  }

  /** Methods of the module's classes that start a thread themselves, as `Class.method` (for other modules' ordering). */
  threadStarterMethods(): string[] {
    const found: string[] = [];
    for (const cls of this.classes.values()) {
      if (cls.node.parent?.type !== 'module' || this.classesByName.get(cls.name) !== cls) continue;
      for (const [name, fn] of cls.methods) if (this.startsThreadItself(fn)) found.push(`${cls.name}.${name}`);
    }
    return found;
  }

  /** Does this function start a thread itself (`t.start()` on a thread it made or keeps)? */
  private startsThreadItself(fn: Node): boolean {
    let known = this.startsThreadsDirectly.get(fn.id);
    if (known === undefined) this.startsThreadsDirectly.set(fn.id, (known = this.callsIn(fn).some(isThreadStart)));
    return known;
  }

  /**
   * A helper that runs before the threads its callers start: every call of it in the module comes, in
   * its caller's body, before a call that starts threads — a thread's `start()`, or a call of a function
   * of the module that starts one (`self.create_files()` … `self.run_workers()`) — or is made by such a
   * helper that starts none itself (`_prepare()` → `self._reset()`). Writes it makes happen before those
   * threads exist, as the caller's own writes before `start()` do — when no thread reaches the caller
   * and the call is not in a loop. A method no code of the module calls is such a helper when every call
   * of its name elsewhere in the run is (`self._comms.init_comms()` before the pool starts its handler
   * threads; project fact `calledBeforeStart`). A public module-level function is left out (importers
   * may call it at any time); so is one handed to a thread itself.
   */
  orderedBeforeStartByCallers(scope: FunctionScope): boolean {
    let known = this.orderedByCallers.get(scope.node.id);
    if (known !== undefined) return known;
    // A cycle of helpers orders nothing.
    this.orderedByCallers.set(scope.node.id, false);
    known = false;
    const privateName = scope.name.startsWith('_') && !scope.name.endsWith('__');
    const elsewhere = this.options.project?.calledBeforeStart;
    if (!scope.parent && (scope.receiver || privateName) && !this.threads.isSpawnTarget(scope.node) && (elsewhere || moduleMentions(this.root, START_CALL))) {
      const callers = this.callersOf(scope.node);
      known = callers.length > 0 ? callers.every((call) => this.callBeforeThreadStart(call, scope)) : !!elsewhere?.has(scope.name) && this.onlySelfCalls(scope.node);
    }
    this.orderedByCallers.set(scope.node.id, known);
    return known;
  }

  /**
   * Does this call run before the threads its function starts: made, not in a loop, before the last call
   * there that starts threads, in a function no thread reaches — or anywhere in a helper that starts no
   * thread and itself runs before its callers start theirs? (`callee`, when known, is not its own caller.)
   */
  callBeforeThreadStart(call: Node, callee?: FunctionScope): boolean {
    const caller = this.scopeOf(call);
    if (!caller || caller.node === callee?.node) return false;
    // The caller must run before any thread reaches it (two threads opening one pool both run the
    // helper; a worker's loop runs it beside the threads it started earlier), and call it once: not
    // in a loop, whose next round runs after the start.
    if (this.threads.entryFor(caller)) return false;
    const lastStart = this.lastThreadStart(caller);
    if (lastStart >= 0) return !insideLoop(call, caller.node) && call.endIndex < lastStart;
    return this.orderedBeforeStartByCallers(caller);
  }

  private readonly setUpEnds = new Map<number, number>();

  /**
   * Code of a deferred initialiser that runs before the threads it starts: a method (a `start(options)`
   * called once after construction) that gives its object the locks its other methods take
   * (`self.prepared_lock = threading.Lock()`) — no code that takes them can have run before it, nor can
   * it run again beside them without replacing them — and that then starts threads, itself or through a
   * helper of the module (`self.start_threads()`). What it does before that first start happens before
   * any thread uses the object, as `__init__`'s writes do. Not when a thread reaches it, or a caller of
   * the module calls it in a loop or from thread code.
   */
  private priming: ImportPriming | undefined;

  /** Lazy initialisations that have run at import, and what only they call (priming.ts). */
  get importPriming(): ImportPriming {
    return (this.priming ??= new ImportPriming({
      text: this.text,
      primedElsewhere: (name) => this.options.project?.primedAtImport?.get(name),
      callsNamed: (name) => this.callsNamed(name),
      callersOf: (fn) => this.callersOf(fn),
      scopeOf: (node) => this.scopeOf(node),
      isModuleGlobal: (name) => this.bindings.get(name)?.kind === 'value',
    }));
  }

  private joins: JoinOrdering | undefined;

  /** `node` runs after every thread the module starts has been joined (joins.ts). */
  afterThreadsJoined(node: Node, scope: FunctionScope): boolean {
    if (this.source !== undefined && !moduleMentions(this.root, JOIN_CALL)) return false;
    // Code a thread runs is no code after that thread's join.
    const entry = this.threads.entryFor(scope);
    if (entry && !entry.assumed) return false;
    this.joins ??= new JoinOrdering({ spawns: () => this.threads.spawns, callsIn: (fn) => this.callsIn(fn) });
    return this.joins.afterThreadsJoined(node, scope);
  }

  setUpBeforeThreads(node: Node, scope: FunctionScope): boolean {
    return node.endIndex < this.setUpEnd(scope);
  }

  /** Where a deferred initialiser first starts a thread (see setUpBeforeThreads); -1 for any other function. */
  private setUpEnd(scope: FunctionScope): number {
    let end = this.setUpEnds.get(scope.node.id);
    if (end !== undefined) return end;
    end = -1;
    const cls = scope.classNode && scope.receiver && !scope.parent ? this.classInfo(scope.classNode) : null;
    if (cls && cls.lockAttributes.size > 0 && !this.threads.isSpawnTarget(scope.node) && !this.threads.realEntryFor(scope)) {
      const own = this.ownNodes(scope);
      const givesLock = own.some((n) => {
        if (n.type !== 'assignment' || n.childForFieldName('right')?.type !== 'call') return false;
        const left = n.childForFieldName('left');
        return left?.type === 'attribute' && left.childForFieldName('object')?.text === scope.receiver && cls.lockAttributes.has(left.childForFieldName('attribute')?.text ?? '');
      });
      const once =
        givesLock &&
        this.callersOf(scope.node).every((call) => {
          const caller = this.scopeOf(call);
          return !caller || (caller.node !== scope.node && !this.threads.realEntryFor(caller) && !insideLoop(call, caller.node));
        });
      if (once) {
        const start = this.firstThreadStart(scope);
        if (start !== Infinity) end = start;
      }
    }
    this.setUpEnds.set(scope.node.id, end);
    return end;
  }

  private readonly firstStarts = new Map<number, number>();

  /** Does `node` come before every call in its function that starts threads (itself or through a helper)? */
  beforeFirstThreadStart(node: Node, scope: FunctionScope): boolean {
    return node.endIndex <= this.firstThreadStart(scope);
  }

  /** Where the first call in this function that starts threads (itself or through a helper) begins; Infinity when none does. */
  private firstThreadStart(scope: FunctionScope): number {
    let at = this.firstStarts.get(scope.node.id);
    if (at === undefined) {
      at = this.callsIn(scope.node).find((c) => isThreadStart(c) || this.callsThreadStarter(c))?.startIndex ?? Infinity;
      this.firstStarts.set(scope.node.id, at);
    }
    return at;
  }

  private readonly lastStarts = new Map<number, number>();

  /** Where the last call in this function that starts threads (itself or through a helper) begins; -1 when none does. */
  private lastThreadStart(scope: FunctionScope): number {
    let at = this.lastStarts.get(scope.node.id);
    if (at === undefined) {
      const calls = this.callsIn(scope.node);
      at = -1;
      for (let i = calls.length - 1; i >= 0; i--) {
        if (isThreadStart(calls[i]) || this.callsThreadStarter(calls[i])) {
          at = calls[i].startIndex;
          break;
        }
      }
      this.lastStarts.set(scope.node.id, at);
    }
    return at;
  }

  /** A call of a function of the module that starts a thread itself. */
  private callsThreadStarter(call: Node): boolean {
    const callee = call.childForFieldName('function');
    return !!callee && this.functionsFor(callee, call).some((fn) => fn.type === 'function_definition' && this.startsThreadItself(fn));
  }

  private readonly constructionOnly = new Map<number, boolean>();
  /** Answers given inside one walk (keyed by its path set), which a cycle cut there may make false. */
  private readonly walkedConstruction = new WeakMap<Set<number>, Map<number, boolean>>();

  /**
   * A helper that only construction code calls (`__init__` → `self._init()`) runs before the object is
   * shared, like `__init__` itself. Asked for every access the rules look at: answered once per function.
   */
  isConstructionOnly(scope: FunctionScope, visiting?: Set<number>): boolean {
    // Inside a walk, a function already on the path answers false for the cycle: not cacheable beyond
    // the walk, but answered once within it (two callers going through one helper ask twice).
    if (visiting) {
      const walked = this.walkedConstruction.get(visiting);
      let known = this.constructionOnly.get(scope.node.id) ?? walked?.get(scope.node.id);
      if (known === undefined) {
        known = this.computeConstructionOnly(scope, visiting);
        if (walked) walked.set(scope.node.id, known);
        else this.walkedConstruction.set(visiting, new Map([[scope.node.id, known]]));
      }
      return known;
    }
    let known = this.constructionOnly.get(scope.node.id);
    if (known === undefined) this.constructionOnly.set(scope.node.id, (known = this.computeConstructionOnly(scope, new Set())));
    return known;
  }

  private computeConstructionOnly(scope: FunctionScope, visiting: Set<number>): boolean {
    if (isConstructionMethod(scope.name, scope.classNode)) return true;
    // `@Node.copy def where(self, …)`: the decorator hands the method a fresh clone as `self`.
    if (scope.receiver && decoratorNames(scope.node).some((d) => this.cloningDecorators().has(d.slice(d.lastIndexOf('.') + 1)))) return true;
    if (!scope.classNode || visiting.has(scope.node.id)) return false;
    // Python calls `__setattr__`, `__iter__`, … itself, for any `obj.x = v` or loop anywhere, long after
    // construction: the calls that name it are not all its calls (item methods' `obj[k]` calls are resolved).
    if (isImplicitDunder(scope.name)) return false;
    // A thread runs it (handed to a thread API, or reached from another module's thread); or, under
    // assume-concurrent, anyone may call it (a public method no one but its own class names). A private
    // helper's callers are its module's own code, even when assume-concurrent is on; so are the callers
    // of a method threads of the module reach only through calls: a thread constructing an object runs
    // its constructor's helpers before anyone else holds the object.
    const entry = this.threads.entryFor(scope);
    if (entry && (entry.assumed ? this.isDirectEntry(scope.node) && !this.calledOnlyOnItself(scope) : entry.external || this.threads.isSpawnTarget(scope.node))) return false;
    // Its calls of itself run inside a call from its other callers: those decide.
    const callers = [...this.callersOf(scope.node), ...this.callbackCallsOf(scope)].filter((call) => this.scopeOf(call)?.node !== scope.node && !this.isDeprecatedAlias(this.scopeOf(call)));
    // `visiting` is the path of the walk: two callers reaching one construction helper both go through it.
    visiting.add(scope.node.id);
    try {
      if (callers.length === 0) return this.overridesConstructionHook(scope, visiting);
      return callers.every((call) => {
        const caller = this.scopeOf(call);
        return !!caller && (this.onFreshObject(call, caller, scope) || this.isConstructionOnly(caller, visiting));
      });
    } finally {
      visiting.delete(scope.node.id);
    }
  }

  /**
   * A public method its module names only in calls on the receiver (`self.parse_header(line)`), never
   * on another object, as a bound method or by another module of the run: under assume-concurrent its
   * callers are known after all, and a parser its constructor runs (`__init__` → `self.parse(data)`) is
   * construction code like a private helper.
   */
  /**
   * An old name kept for compatibility (`def parseHeader(self, …): warnings.warn(…, DeprecationWarning);
   * self.parse_header(…)`) that nothing of the run calls: it forwards callers that no longer exist, so
   * it does not make the method it forwards to callable at any time.
   */
  private isDeprecatedAlias(scope: FunctionScope | null): boolean {
    if (!scope?.classNode || scope.parent || this.options.project?.calledFromOtherModules?.has(scope.name)) return false;
    const warns = /\b(?:Pending)?DeprecationWarning\b/.test(scope.node.text) || decoratorNames(scope.node).some((d) => /(?:^|\.)deprecated$/.test(d));
    return warns && this.callersOf(scope.node).length === 0 && !this.threads.isSpawnTarget(scope.node) && this.namedOnlyOnReceiver(scope);
  }

  private calledOnlyOnItself(scope: FunctionScope): boolean {
    let known = this.onItself.get(scope.node.id);
    if (known === undefined) this.onItself.set(scope.node.id, (known = this.computeCalledOnlyOnItself(scope)));
    return known;
  }

  private readonly onItself = new Map<number, boolean>();

  private computeCalledOnlyOnItself(scope: FunctionScope): boolean {
    if (this.threads.isSpawnTarget(scope.node) || this.options.project?.calledFromOtherModules?.has(scope.name)) return false;
    // A decorator may run the body later (`@wrapt.decorator` makes calling it wrap something); a method
    // taking a lock is written to run beside other threads (`resume_unack_tasks()`, also run by `__init__`).
    if (decoratorNames(scope.node).some((d) => !TRANSPARENT_DECORATORS.test(d)) || this.takesLock(scope)) return false;
    return this.namedOnlyOnReceiver(scope);
  }

  /** Does the module name the method only in calls on a receiver (and bound methods handed on the spot)? */
  private namedOnlyOnReceiver(scope: FunctionScope): boolean {
    const mentions = this.attributeMentions().get(scope.name);
    if (!mentions) return true;
    // Bound methods on the receiver (`self.parse_header` as an argument): only those handed on the spot.
    if (mentions.references > this.callbackCallsOf(scope).length) return false;
    // Mentions on another object, unless in a comment or a string.
    return mentions.foreign.every((at) => isProse(this.root.descendantForIndex(at)));
  }

  /**
   * Public methods of the module's classes that its text names only on a receiver (no `obj.name`, no
   * `super().name`): the candidates for construction code whose other callers, if any, are in other
   * modules (the summary lists them so the run can say which are called elsewhere).
   */
  receiverOnlyMethods(): string[] {
    const mentions = this.attributeMentions();
    const out = new Set<string>();
    for (const cls of this.classes.values()) {
      for (const name of cls.methods.keys()) {
        if (name.startsWith('_') || out.has(name)) continue;
        // Mentions on other objects in comments and strings do not count (a few looked at: a name
        // mentioned more often on other objects is called on them).
        const m = mentions.get(name);
        if (!m || (m.foreign.length <= 3 && m.foreign.every((at) => isProse(this.root.descendantForIndex(at))))) out.add(name);
      }
    }
    return [...out];
  }

  private mentionIndex: Map<string, { references: number; foreign: number[] }> | undefined;

  /**
   * Every `.name` in the module's text, by name, in one pass: how many are bound methods of a receiver
   * (`self.name` not called) and where those on anything else are (`msg.name(…)`, `super().name`).
   * Calls on a receiver (`self.name(…)`) are not counted.
   */
  private attributeMentions(): Map<string, { references: number; foreign: number[] }> {
    if (this.mentionIndex) return this.mentionIndex;
    const index = new Map<string, { references: number; foreign: number[] }>();
    this.mentionIndex = index;
    // Only the names of the classes' public methods are asked about.
    const names = new Set<string>();
    for (const cls of this.classes.values()) for (const name of cls.methods.keys()) if (/^[A-Za-z]\w*$/.test(name)) names.add(name);
    if (names.size === 0) return index;
    const receivers = new Set(['self', 'cls', ...[...this.scopes.values()].flatMap((s) => (s.receiver ? [s.receiver] : []))]);
    const text = this.text;
    // `.name` found first (cheap to scan for), the object before the dot read backwards by hand.
    for (const m of text.matchAll(new RegExp(`\\.[ \\t]*(${[...names].join('|')})\\b([ \\t]*\\()?`, 'g'))) {
      let end = m.index!;
      while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
      let begin = end;
      while (begin > 0 && /\w/.test(text[begin - 1])) begin--;
      const object = text.slice(begin, end);
      const onReceiver = receivers.has(object) && (begin === 0 || text[begin - 1] !== '.');
      if (onReceiver && m[2]) continue;
      let entry = index.get(m[1]);
      if (!entry) index.set(m[1], (entry = { references: 0, foreign: [] }));
      if (onReceiver) entry.references++;
      else entry.foreign.push(m.index! + m[0].indexOf(m[1]));
    }
    return index;
  }


  /** Does the function itself take a lock (`with self._lock:`, `self._lock.acquire()`)? */
  private takesLock(scope: FunctionScope): boolean {
    return this.ownNodes(scope).some((n) => {
      if (n.type === 'with_statement') return withItems(n).some((item) => this.isLock(item));
      if (n.type !== 'call') return false;
      const callee = n.childForFieldName('function');
      const object = callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'acquire' ? callee.childForFieldName('object') : null;
      return !!object && this.isLock(object);
    });
  }

  private readonly callbackCalls = new Map<number, Node[]>();

  /**
   * Calls that run a method as a callback they are handed on the spot: `self.parse_raw(lines,
   * self.parse_header)`, where the receiver's method only calls that parameter (`handler(k, v)`), never
   * keeps or passes it on. The method runs inside that call, like a direct call from its caller.
   */
  private callbackCallsOf(scope: FunctionScope): Node[] {
    let found = this.callbackCalls.get(scope.node.id);
    if (found) return found;
    found = [];
    this.callbackCalls.set(scope.node.id, found);
    for (const { call, index } of this.boundMethodArguments().get(scope.name) ?? []) {
      const callee = call.childForFieldName('function')!;
      const targets = this.functionsFor(callee, call);
      if (targets.length !== 1 || targets[0].type !== 'function_definition') continue;
      // The parameter the bound method lands in (after the target's own receiver, unless static).
      const param = parameterOrder(targets[0])[decoratorNames(targets[0]).includes('staticmethod') ? index : index + 1];
      const body = targets[0].childForFieldName('body')?.text ?? '';
      if (!param || !/^\w+$/.test(param)) continue;
      const uses = [...body.matchAll(new RegExp(`(?<![\\w.])${param}\\b(\\s*\\()?`, 'g'))];
      if (uses.length > 0 && uses.every((u) => !!u[1])) found.push(call);
    }
    return found;
  }

  private boundArguments: Map<string, Array<{ call: Node; index: number }>> | undefined;

  /**
   * Calls of a method on the receiver that are handed one of the receiver's bound methods
   * (`self.parse_raw(lines, self.parse_header)`): method name → the calls and the argument's position.
   * One pass over the calls whose text holds such an argument.
   */
  private boundMethodArguments(): Map<string, Array<{ call: Node; index: number }>> {
    if (this.boundArguments) return this.boundArguments;
    const out = new Map<string, Array<{ call: Node; index: number }>>();
    this.boundArguments = out;
    // Cheap gate: the text has `(…, self.name)`-shaped arguments at all.
    if (!/[(,]\s*\w+\s*\.\s*\w+\s*[,)]/.test(this.text)) return out;
    for (const { node: call } of this.index.all('call')) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute') continue;
      const receiver = this.scopeOf(call)?.receiver;
      if (!receiver || callee.childForFieldName('object')?.text !== receiver) continue;
      const args = call.childForFieldName('arguments');
      namedChildren(args ?? call).forEach((a, index) => {
        if (args && a.type === 'attribute' && a.childForFieldName('object')?.text === receiver) push(out, a.childForFieldName('attribute')?.text ?? '', { call, index });
      });
    }
    return out;
  }

  private cloning: Set<string> | undefined;

  /**
   * Decorators that call the method they wrap on a copy of its receiver — a builder's copy-on-write
   * (`def copy(method): def inner(self, *a): clone = self.clone(); method(clone, *a); return clone`):
   * the decorated method changes an object made for this call, which nobody else holds yet.
   */
  private cloningDecorators(): Set<string> {
    if (this.cloning) return this.cloning;
    const names = new Set<string>();
    for (const wrapper of this.scopes.values()) {
      const decorator = wrapper.parent;
      const wrapped = decorator ? parameterOrder(decorator.node)[0] : undefined;
      const self = parameterOrder(wrapper.node)[0];
      if (!decorator || !wrapped || !self || decorator.parent || wrapper.parent !== decorator) continue;
      const clones = new Set<string>();
      for (const a of this.assignmentsOf(wrapper)) {
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        if (left?.type !== 'identifier' || right?.type !== 'call') continue;
        const callee = right.childForFieldName('function');
        const onSelf = callee?.type === 'attribute' && callee.childForFieldName('object')?.text === self;
        const copied = /^(?:copy\.)?(?:deep)?copy$/.test(callee?.text ?? '') && positionalArguments(right)[0]?.text === self;
        if (onSelf || copied) clones.add(left.text);
      }
      if (clones.size === 0) continue;
      const callsOnClone = this.callsIn(wrapper.node).some((c) => c.childForFieldName('function')?.text === wrapped && clones.has(positionalArguments(c)[0]?.text ?? ''));
      if (callsOnClone) names.add(decorator.name);
    }
    return (this.cloning = names);
  }

  /**
   * A factory filling the object it just made: `obj = cls(); obj._load(data); return obj` — a private
   * method called on a local the caller bound once, earlier, to a new instance of the method's class
   * (`cls(…)`, `Name(…)`, `type(self)(…)`, `self.__class__(…)`), so no other thread holds it yet. (What
   * the caller does with it between the two is not followed: a factory publishes what it made by
   * returning it.)
   */
  private onFreshObject(call: Node, caller: FunctionScope, callee: FunctionScope): boolean {
    const fn = call.childForFieldName('function');
    const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    // A private method only: a public one may also be called through references the model cannot resolve.
    if (object?.type !== 'identifier' || !caller.locals.has(object.text) || !callee.classNode || !/^_(?!_)/.test(callee.name)) return false;
    const made = this.onlyBindingBefore(caller, object.text, call);
    const constructor = made?.type === 'call' ? made.childForFieldName('function')?.text.replace(/\s+/g, '') : undefined;
    if (!constructor) return false;
    const className = this.classInfo(callee.classNode)?.name;
    const self = caller.receiver;
    return (
      constructor === className ||
      (caller.isClassMethod && constructor === self && !!caller.classNode && this.relatedClasses(caller.classNode, callee.classNode)) ||
      (!!self && !caller.isClassMethod && (constructor === `type(${self})` || constructor === `${self}.__class__`) && !!caller.classNode && this.relatedClasses(caller.classNode, callee.classNode))
    );
  }

  /**
   * A template method: this override has no callers of its own because a base class of the module calls
   * `self.<name>()` from its constructor (`Metric.__init__` → `self._metric_init()`), and the base's
   * own method of that name, if any, runs only there.
   */
  private overridesConstructionHook(scope: FunctionScope, visiting: Set<number>): boolean {
    const cls = this.classInfo(scope.classNode);
    if (!cls) return false;
    const call = new RegExp(`(?<![\\w.])self\\.${scope.name}\\(`);
    for (const base of this.basesOf(cls)) {
      const own = base.methods.get(scope.name);
      const ownScope = own ? this.scopes.get(own.id) : undefined;
      if (ownScope && this.callersOf(own!).length > 0) return this.isConstructionOnly(ownScope, visiting);
      const init = base.methods.get('__init__');
      if (init && call.test(init.text)) return true;
    }
    // A base class of another module of the run whose `__init__` calls it (`SQLiteBase.__init__` →
    // `self._init()`), and nothing but construction there does.
    const hooks = this.options.project?.constructionHooks;
    if (hooks?.size) {
      for (const c of [cls, ...this.basesOf(cls)]) {
        const bases = c.node.childForFieldName('superclasses');
        for (const b of bases ? namedChildren(bases) : []) {
          const q = this.imports.qualifyImported(b);
          if (q && hooks.get(q)?.includes(scope.name)) return true;
        }
      }
    }
    return false;
  }

  private classCreationHooks: Set<string> | undefined;

  /**
   * Nested functions a decorator factory returns that take the decorated function and return it as it
   * was (`def decorator(func): … return func`, every return so): they record the function, they do not
   * wrap it. The factory's only returns name the nested function.
   */
  private registrationDecorators(): Node[] {
    const out: Node[] = [];
    for (const scope of this.scopes.values()) {
      const parent = scope.parent;
      if (!parent || scope.node.type !== 'function_definition' || parent.node.type !== 'function_definition') continue;
      const param = parameterOrder(scope.node)[0];
      if (!param || parameterOrder(scope.node).length !== 1) continue;
      const own = this.ownNodes(scope);
      const returns = scope.node.descendantsOfType('return_statement').filter((r) => this.scopeOf(r) === scope);
      if (returns.length === 0 || !returns.every((r) => namedChildren(r)[0]?.text === param)) continue;
      // The decorated function is recorded, not called (`func()` would make it a runner, not a registrar).
      if (own.some((n) => n.type === 'call' && n.childForFieldName('function')?.text === param)) continue;
      const factoryReturns = parent.node.descendantsOfType('return_statement').filter((r) => this.scopeOf(r) === parent);
      if (factoryReturns.length === 0 || !factoryReturns.every((r) => namedChildren(r)[0]?.text === scope.name)) continue;
      out.push(scope.node);
    }
    return out;
  }

  /** Methods this module's metaclasses call on the classes they build (classHooks.ts). */
  metaclassHooks(): Set<string> {
    return (this.classCreationHooks ??= new Set(metaclassHooksFromText(this.text)));
  }

  /**
   * The module's classes' construction hooks, for subclasses in other modules: class name → the
   * methods its `__init__` calls on `self` that no other method of it calls (`self._init()`).
   */
  constructionHooks(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const cls of this.classes.values()) {
      const init = cls.methods.get('__init__');
      if (!init || this.classOfName(cls.name, cls.node) !== cls) continue;
      const receiver = parameterOrder(init)[0];
      if (!receiver) continue;
      const called = new Set([...init.text.matchAll(new RegExp(`(?<![\\w.])${receiver}\\.(\\w+)\\(`, 'g'))].map((m) => m[1]));
      for (const [name, method] of cls.methods) {
        if (isConstructionMethod(name, cls.node)) continue;
        for (const m of method.text.matchAll(/(?<![\w.])\w+\.(\w+)\(/g)) called.delete(m[1]);
      }
      const hooks = [...called].filter((name) => !CONSTRUCTION_METHODS.has(name));
      if (hooks.length > 0) out[cls.name] = hooks;
    }
    return out;
  }

  /** One class is the other or derives from it within the module: `self.x` in either can be the same field. */
  relatedClasses(a: Node, b: Node): boolean {
    if (a === b) return true;
    const ca = this.classInfo(a);
    const cb = this.classInfo(b);
    return !!ca && !!cb && (this.basesOf(ca).includes(cb) || this.basesOf(cb).includes(ca));
  }

  /** The module's classes this class derives from, nearest first. */
  /** Is the class `sub` derived, through classes of this module, from the class `base`? */
  derivesFrom(sub: Node, base: Node): boolean {
    const info = this.classInfo(sub);
    const target = this.classInfo(base);
    return !!info && !!target && info !== target && this.basesOf(info).includes(target);
  }

  /**
   * `Base.field` → the same field's keys in the module's classes one object of `Base` may also be:
   * its module bases and the classes derived from it (`Cached.field` for `class Cached(Base)`), whose
   * methods run on that object too. Not sibling classes: their objects are others.
   */
  relatedFieldKeys(key: string): string[] {
    const dot = key.indexOf('.');
    const cls = dot > 0 ? this.classesByName.get(key.slice(0, dot)) : undefined;
    if (!cls) return [];
    const field = key.slice(dot + 1);
    const related = [...this.basesOf(cls), ...this.derivedOf(cls).filter((c) => c !== cls)];
    return [...new Set(related.filter((c) => this.classesByName.get(c.name) === c).map((c) => `${c.name}.${field}`))];
  }

  private readonly basesCache = new Map<number, ClassInfo[]>();
  private derivedCache: Map<number, ClassInfo[]> | undefined;

  /**
   * The method `name` an object of class `cls` runs: its own, else the first base's of the module that
   * defines it; with `above`, only bases of that class are looked in (`super().name()` written in it).
   */
  methodOfObject(cls: ClassInfo, name: string, above?: ClassInfo): Node | null {
    const lineage = above ? this.basesOf(above) : this.classLineage(cls);
    for (const c of lineage) {
      const fn = c.methods.get(name);
      if (fn) return fn;
    }
    return null;
  }

  /** The class and its bases of the module, nearest first. */
  classLineage(cls: ClassInfo): ClassInfo[] {
    return [cls, ...this.basesOf(cls)];
  }

  /** moduleBases, once per class (asked per call resolution and per loop). */
  private basesOf(cls: ClassInfo): ClassInfo[] {
    let bases = this.basesCache.get(cls.node.id);
    if (!bases) this.basesCache.set(cls.node.id, (bases = this.moduleBases(cls, new Set())));
    return bases;
  }

  /** The module's classes derived from `cls` (directly or not). */
  private derivedOf(cls: ClassInfo): ClassInfo[] {
    if (!this.derivedCache) {
      const derived = new Map<number, ClassInfo[]>();
      for (const c of this.classes.values()) for (const base of this.basesOf(c)) push(derived, base.node.id, c);
      this.derivedCache = derived;
    }
    return this.derivedCache.get(cls.node.id) ?? [];
  }

  private moduleBases(cls: ClassInfo, seen: Set<ClassInfo>): ClassInfo[] {
    const out: ClassInfo[] = [];
    const bases = cls.node.childForFieldName('superclasses');
    for (const b of bases ? namedChildren(bases) : []) {
      const base = b.type === 'identifier' ? this.classesByName.get(b.text) : b.type === 'subscript' ? this.classesByName.get(b.childForFieldName('value')?.text ?? '') : undefined;
      if (!base || seen.has(base)) continue;
      seen.add(base);
      out.push(base, ...this.moduleBases(base, seen));
    }
    return out;
  }

  /**
   * The calls on `self` of a method's name made in its class's bases of this module, in methods the class
   * does not override: a template method (`with self._lock: … self._begin(tid)`) runs the override for
   * the subclass's objects, holding what it holds there.
   */
  private baseSelfCalls(fn: Node): Node[] {
    const scope = this.scopes.get(fn.id);
    const cls = scope?.receiver && !scope.isClassMethod ? this.classInfo(scope.classNode) : null;
    if (!cls || cls.methods.get(scope!.name) !== fn) return [];
    const out: Node[] = [];
    for (const base of this.basesOf(cls)) {
      for (const [name, method] of base.methods) {
        const caller = this.scopes.get(method.id);
        if (cls.methods.has(name) || !caller?.receiver) continue;
        for (const call of this.callsIn(method)) {
          const callee = call.childForFieldName('function');
          if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === scope!.name && callee.childForFieldName('object')?.text === caller.receiver) out.push(call);
        }
      }
    }
    return out;
  }

  private locksHeldByEveryCaller(fn: Node, visiting: Set<number>): string[] {
    return this.callerLocksOf(fn, visiting) ?? [];
  }

  /**
   * Null: `fn` is already being asked about further up (a cycle of calls) — a call along the cycle runs
   * inside a call from the cycle's other callers, so it constrains nothing. An answer that skipped such
   * a call holds for this question only, and is not kept (asked from another function of the cycle, a
   * different call is skipped).
   */
  private callerLocksOf(fn: Node, visiting: Set<number>): string[] | null {
    const cached = this.callerLocks.get(fn.id);
    if (cached) return cached;
    if (visiting.has(fn.id)) return null;
    if (this.threads.isSpawnTarget(fn)) return [];
    // Python calls `__setattr__`, `__iter__`, … itself, for every `obj.x = v` or `for x in obj` anywhere:
    // the calls that name it are a few of its calls, and say nothing of the rest (isImplicitDunder).
    if (fn.type === 'function_definition' && isImplicitDunder(fn.childForFieldName('name')?.text ?? '')) return [];
    const inherited = this.baseSelfCalls(fn);
    const callers = inherited.length > 0 ? [...new Set([...this.callersOf(fn), ...inherited])] : this.callersOf(fn);
    // Called only from other modules of the run, each time holding a lock (e.g. set-up run once under
    // an installer's lock): those callers' lock counts, whatever assume-concurrent says of public code.
    const external = fn.type === 'function_definition' && this.onlySelfCalls(fn) ? this.options.project?.callerLocks?.get(fn.childForFieldName('name')?.text ?? '') : undefined;
    if (external) return [external];
    // A method the module also calls on objects of unknown type (`task.run()` beside a locked `self.run()`)
    // may be called there, holding nothing: the callers found are not all of its callers.
    const method = fn.type === 'function_definition' && this.scopes.get(fn.id)?.receiver ? fn.childForFieldName('name')?.text : undefined;
    // (Only an object named after the method's class, `task` for `DownloadTask`: a call on any other
    // object is more likely another class's method of that name, `selected_service.play()`.)
    const cls = method ? this.classInfo(this.scopes.get(fn.id)!.classNode)?.name : undefined;
    if (method && cls && callers.length > 0 && this.unresolvedMethodCalls.get(method)?.some((object) => namedAfter(object, cls))) return [];
    if (this.isDirectEntry(fn)) return [];
    visiting.add(fn.id);
    let common: string[] | null = null;
    let ownerHeld: string[] | null = null;
    let cut = false;
    for (const call of callers) {
      const callerScope = this.scopeOf(call);
      // A call of itself runs inside a call from its other callers, holding what they hold.
      if (callerScope?.node === fn) continue;
      // Construction code (and helpers only it calls) runs before the object is shared, and a hook that
      // runs alone (after fork, at exit) races with nobody: their calls need no lock.
      if (callerScope && (this.isConstructionOnly(callerScope) || this.ordering.whyAlone(callerScope))) continue;
      // Nor does a call made once every thread of the module has been joined (`close()` after the stop).
      if (callerScope && this.afterThreadsJoined(call, callerScope)) continue;
      let held = heldLocks(call, this);
      if (held.length === 0 && callerScope) held = this.handedOrProtocolLocks(call, callerScope);
      // A logging handler's lock guards the handler's own state, in `emit` and the handler's methods it
      // calls on itself; the functions it calls may touch state every handler shares (a module's
      // registry), which one handler's lock does not guard.
      // So does an object the handler made and keeps in a field (`self.clh = RotatingHandler(…)`): reached
      // through the handler, it is the handler's own state.
      const target = call.childForFieldName('function')?.childForFieldName('object');
      const onItself =
        callerScope?.receiver !== undefined &&
        (target?.text === callerScope.receiver ||
          (target?.type === 'attribute' && target.childForFieldName('object')?.text === callerScope.receiver && !!this.fieldClass(this.classInfo(callerScope.classNode), target.childForFieldName('attribute')?.text ?? '')));
      if (held.length === 0 && callerScope) held = this.decoratorLocks(callerScope).filter((l) => onItself || !this.handlerEmits.has(callerScope.node.id) || l !== `${callerScope.receiver}.lock`);
      if (held.length === 0 && callerScope) {
        const up = this.callerLocksOf(callerScope.node, visiting);
        if (up === null) {
          cut = true;
          continue;
        }
        held = up;
      }
      // A call found only by the method's name (`executor.submit()` on an object of unknown type) may be
      // any object's method: the caller's own lock says nothing about the callee's object.
      const own = callerScope?.receiver;
      if (own && held.some((l) => l.startsWith(`${own}.`)) && this.guessedByName(call)) held = held.filter((l) => !l.startsWith(`${own}.`));
      held = this.intoCalleeFrame(held, call, fn, callerScope);
      // A component the caller's object made and keeps to itself (`self.clh = RotatingHandler(…)`, never
      // handed out) is reached only through its owner: the owner's lock serialises that object, as the
      // component's own lock serialises the objects of its class made elsewhere — one serialisation per
      // object, under two names. Such calls leave the other callers' common lock standing.
      if (held.length > 0 && callerScope && this.ownerSerialisedCall(call, callerScope, held)) {
        ownerHeld = ownerHeld === null ? held : ownerHeld.filter((l) => held.includes(l));
        continue;
      }
      common = common === null ? held : common.filter((l) => held.includes(l));
      if (common.length === 0) break;
    }
    // Handed to a helper of the module that runs it while it is called (`self.ensure(self._publish)`
    // under the connection's lock): the helper's locks where it runs or passes on the callable count.
    if (callers.length === 0 || (common !== null && common.length > 0)) {
      const handed = this.callbackLocks(fn, visiting);
      if (handed) common = common === null ? handed : common.filter((l) => handed.includes(l));
    }
    visiting.delete(fn.id);
    if (cut) return common ?? ownerHeld ?? null;
    const result = common ?? ownerHeld ?? [];
    this.callerLocks.set(fn.id, result);
    return result;
  }

  /**
   * Locks held wherever `fn` runs as a callback, when every reference to it (other than its calls) hands
   * it to a helper of this module — `self.ensure(self._publish)`, `self._retry(_declare)` — that calls
   * it, or passes it on, while it runs: the locks held at the hand site plus those the helper holds
   * there. Null when `fn` is handed nowhere, or anywhere else (a thread, a registry, a stored field):
   * then it may run later, holding nothing.
   */
  private callbackLocks(fn: Node, visiting: Set<number>): string[] | null {
    const scope = this.scopes.get(fn.id);
    const name = fn.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
    if (!scope || !name || this.source === undefined || scope.isClassMethod || !this.namesPassedAsArguments().has(name)) return null;
    // A nested function's name means it only inside the function that defines it.
    let container: Node | null = fn.parent;
    while (container && container.type !== 'function_definition') container = container.parent;
    const from = scope.receiver || !container ? 0 : container.startIndex;
    const to = scope.receiver || !container ? this.source.length : container.endIndex;
    let common: string[] | null = null;
    for (const m of this.source.slice(from, to).matchAll(new RegExp(`\\b${name}\\b`, 'g'))) {
      const identifier = this.root.descendantForIndex(from + m.index!);
      if (identifier.type !== 'identifier' || identifier.text !== name) continue;
      if (identifier.parent?.type === 'function_definition' && identifier.parent.childForFieldName('name') === identifier) continue;
      const outer = identifier.parent;
      // `self._publish` for a method (made in its own class), `_declare` for a plain or nested function.
      const expr = scope.receiver ? (outer?.type === 'attribute' && outer.childForFieldName('attribute') === identifier ? outer : null) : identifier;
      if (!expr) continue;
      const site = this.scopeOf(expr);
      if (scope.receiver && (expr.childForFieldName('object')?.text !== site?.receiver || site?.classNode !== scope.classNode)) return null;
      const parent = expr.parent;
      if (parent?.type === 'call' && parent.childForFieldName('function') === expr) continue; // a call: callersOf has it
      const keyword = parent?.type === 'keyword_argument' ? parent : null;
      const args = keyword ? keyword.parent : parent;
      const call = args?.type === 'argument_list' ? args.parent : null;
      if (!call || call.type !== 'call' || !site) return null;
      const held = this.callbackSiteLocks(call, keyword ? keyword.childForFieldName('name')?.text ?? '' : positionalArguments(call).indexOf(expr), site, !scope.receiver && !!container && site.node === container, visiting);
      if (!held) return null;
      common = common === null ? held : common.filter((l) => held.includes(l));
    }
    return common;
  }

  private passedNames: Set<string> | undefined;

  /** Names written as an argument somewhere (`f(x, self.name)`, `f(k=name)`): one pass over the text. */
  private namesPassedAsArguments(): Set<string> {
    if (this.passedNames) return this.passedNames;
    const out = (this.passedNames = new Set<string>());
    for (const m of this.source?.matchAll(/[(,=]\s*(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\s*[,)]/g) ?? []) out.add(m[1]);
    return out;
  }

  /** Locks held while the helper `call` invokes runs the callable passed at `at` (see callbackLocks). */
  private callbackSiteLocks(call: Node, at: number | string, site: FunctionScope, nested: boolean, visiting: Set<number>): string[] | null {
    const callee = call.childForFieldName('function');
    const helpers = callee ? this.functionsFor(callee, call).filter((f) => f.type === 'function_definition') : [];
    if (helpers.some((h) => this.threads.isSpawnTarget(h))) return null;
    const atSite = heldLocks(call, this);
    const outside = atSite.length > 0 ? atSite : this.decoratorLocks(site).length > 0 ? this.decoratorLocks(site) : this.locksHeldByEveryCaller(site.node, visiting);
    // A function nested where it is handed to a call of another library (`conn.autoretry(execute)`)
    // runs during that call unless the call keeps it for later (a callback registry, a pool).
    if (helpers.length === 0) return !nested || (typeof at === 'number' && at < 0) || DEFERRING_CALLS.test(ModuleModel.calleeName(call) ?? '') ? null : outside;
    let common: string[] | null = null;
    for (const helper of helpers) {
      const helperScope = this.scopes.get(helper.id)!;
      const params = parameterOrder(helper);
      const bound = helperScope.receiver && callee?.type === 'attribute' ? 1 : 0;
      const param = typeof at === 'string' ? at : at >= 0 ? params[at + bound] : undefined;
      if (!param || !params.includes(param)) return null;
      const uses = this.callbackUses(helperScope, param);
      if (!uses) return null;
      const inside = this.decoratorLocks(helperScope).length > 0 ? this.decoratorLocks(helperScope) : this.locksHeldByEveryCaller(helper, visiting);
      for (const use of uses) {
        const own = heldLocks(use, this);
        const held = [...new Set([...outside, ...(own.length > 0 ? own : inside)])];
        common = common === null ? held : common.filter((l) => held.includes(l));
      }
    }
    return common;
  }

  /**
   * The calls in `helper`'s own body that run the callable parameter `param` (`param()`) or pass it on
   * (`self.ensure(param)`), through a rebinding `param = functools.partial(param, …)`. Null when the
   * helper keeps it (stores, returns or yields it) or never uses it so.
   */
  private callbackUses(helper: FunctionScope, param: string): Node[] | null {
    const own = this.ownNodes(helper);
    // A function nested in the helper that runs the callable (`def execute(channel): …; method()`) runs
    // it where the helper runs or passes on that function.
    const mentions = (n: Node, name: string) => new RegExp(`\\b${name}\\b`).test(n.text);
    const names = new Set([param]);
    for (const n of own) if (n.type === 'function_definition' && mentions(n, param)) names.add(n.childForFieldName('name')?.text ?? param);
    const uses: Node[] = [];
    for (const n of own) {
      if (n.type === 'assignment') {
        const right = n.childForFieldName('right');
        const left = n.childForFieldName('left');
        const partial = right?.type === 'call' && /partial$/.test(right.childForFieldName('function')?.text ?? '');
        if (right && right.type !== 'call' && [...names].some((name) => mentions(right, name))) return null;
        if (partial && left?.text !== param && mentions(right!, param)) return null;
        continue;
      }
      if (n.type !== 'call') continue;
      const fnExpr = n.childForFieldName('function');
      if (names.has(fnExpr?.text ?? '')) {
        uses.push(n);
        continue;
      }
      if (/partial$/.test(fnExpr?.text ?? '')) continue;
      const args = n.childForFieldName('arguments');
      const passed = args ? namedChildren(args).some((a) => names.has((a.type === 'keyword_argument' ? a.childForFieldName('value') : a)?.text ?? '')) : false;
      if (!passed) continue;
      // Stored for later (`self._callbacks.append(fn)`, `register(fn)`): not run while the helper runs.
      if (DEFERRING_CALLS.test(ModuleModel.calleeName(n) ?? '')) return null;
      uses.push(n);
    }
    if ([...names].some((name) => new RegExp(`\\b(?:return|yield)\\s+${name}\\b(?!\\s*\\()`).test(helper.node.text))) return null;
    return uses.length > 0 ? uses : null;
  }

  /**
   * Is `call` made on a private component of the caller's object (`self.clh.do_write()`, where the class
   * made `self.clh` and never hands it out), every lock held there being the caller's own?
   */
  private ownerSerialisedCall(call: Node, callerScope: FunctionScope, held: string[]): boolean {
    const cls = this.classInfo(callerScope.classNode);
    const target = call.type === 'call' ? call.childForFieldName('function')?.childForFieldName('object') : null;
    if (!cls || target?.type !== 'attribute' || target.childForFieldName('object')?.text !== callerScope.receiver) return false;
    if (!held.every((l) => l.startsWith(`${cls.name}'s `))) return false;
    return this.privateComponent(cls, target.childForFieldName('attribute')?.text ?? '');
  }

  private readonly privateComponents = new Map<string, boolean>();

  /**
   * Does `cls` make the object in `field` itself (`self.f = Cls(…)`, a class of the module) and keep it
   * to itself: every other use of `self.f` in the class reaches into it (`self.f.x`, `self.f[k]`), a
   * test at most — never returned, passed, yielded or stored elsewhere.
   */
  private privateComponent(cls: ClassInfo, field: string): boolean {
    const made = this.fieldClasses.get(cls.node.id)?.get(field) ?? this.fieldClass(cls, field);
    return !!made && !this.constructorArgumentClasses(cls).has(field) && this.keptPrivate(cls, field);
  }

  /**
   * Does `cls` keep the object in `field` to itself: every use of `self.f` in the class reaches into it
   * (`self.f.x`, `self.f[k]`), a test at most — never returned, passed, yielded or stored elsewhere?
   */
  private keptPrivate(cls: ClassInfo, field: string): boolean {
    const key = `${cls.node.id}.${field}`;
    const known = this.privateComponents.get(key);
    if (known !== undefined) return known;
    let answer = true;
    for (const method of cls.methods.values()) {
      const receiver = this.scopes.get(method.id)?.receiver;
      if (!receiver) continue;
      const text = method.text;
      const use = new RegExp(`\\b${receiver}\\.${field}\\b(?!\\s*[.[(])`, 'g');
      for (let m = use.exec(text); m && answer; m = use.exec(text)) {
        const after = text.slice(m.index + m[0].length).match(/^\s*(=(?!=))?/);
        if (after?.[1]) continue; // the assignment that makes it (or resets it)
        if (/(?:\breturn|\byield|[(,[{:]|[^=!<>]=|\bas|\bin|\blambda[^:]*:)\s*$/.test(text.slice(Math.max(0, m.index - 40), m.index))) answer = false;
      }
      if (!answer) break;
    }
    this.privateComponents.set(key, answer);
    return answer;
  }

  /**
   * Is the call's callee only guessed from the method's name: `obj.close()` on a local or parameter of a
   * type the module does not track, resolved because one class of the module has a `close`?
   */
  private guessedByName(call: Node): boolean {
    const fnExpr = call.childForFieldName('function');
    const object = fnExpr?.type === 'attribute' ? fnExpr.childForFieldName('object') : null;
    if (object?.type !== 'identifier') return false;
    const scope = this.scopeOf(call);
    if (scope?.receiver === object.text || this.classesByName.has(object.text) || this.narrowedClass(object, call)) return false;
    return !this.instanceClass(object.text, scope);
  }

  /**
   * Locks a caller holds, named as the callee sees them: `with self._pool._lock: self._pool._assign()`
   * holds the callee's own `self._lock` (the object the call is made on is the callee's receiver). The
   * caller's own locks (`self._lock` while calling `item.reset()`) are another object's: named for the
   * caller's class, so they never pass for the callee's same-named lock, nor for an expression a fix
   * could write in the callee.
   */
  private intoCalleeFrame(held: string[], call: Node, callee: Node, callerScope: FunctionScope | null): string[] {
    const receiver = this.scopes.get(callee.id)?.receiver;
    // A call `x.m()`, or a property's use: `x.size = v` (the assignment) or a read of `x.size`.
    const fnExpr = call.type === 'call' ? call.childForFieldName('function') : call.type === 'attribute' ? call : call.childForFieldName('left');
    const object = fnExpr?.type === 'attribute' ? fnExpr.childForFieldName('object')?.text : undefined;
    const own = callerScope?.receiver;
    if (!receiver || !object || object === own || held.length === 0) return held;
    const callerClass = own ? this.classInfo(callerScope!.classNode)?.name : undefined;
    return held.map((lock) => {
      if (lock.startsWith(`${object}.`)) return `${receiver}${lock.slice(object.length)}`;
      return callerClass && lock.startsWith(`${own}.`) ? `${callerClass}'s ${lock}` : lock;
    });
  }

  /** class node id → the lock attribute its `__enter__` takes and its `__exit__` gives back (null: none). */
  private readonly enteredLocks = new Map<number, string | null>();

  /**
   * An object that is its own lock — its class's `__enter__` acquires one of its locks
   * (`self._lock.acquire()`, `self._lock.__enter__()`) and `__exit__` releases it — is taken by
   * `with obj:`, which then holds `obj._lock` (the name the class's own methods use for it).
   */
  entersLock(expr: Node): string | null {
    // `with self._lock.for_heartbeat():` — a context-manager method of the module's lock class that
    // acquires the lock itself: the lock is held inside, under its own name.
    if (expr.type === 'call') {
      const callee = expr.childForFieldName('function');
      return callee?.type === 'attribute' && this.lockingContextMethods().has(callee.childForFieldName('attribute')?.text ?? '') ? callee.childForFieldName('object')!.text : null;
    }
    if (expr.type !== 'identifier') return null;
    const scope = this.scopeOf(expr);
    const cls = scope?.receiver === expr.text ? this.classInfo(scope.classNode) : this.instanceClass(expr.text, scope);
    const lock = cls ? this.enteredLock(cls) : null;
    return lock ? `${expr.text}.${lock}` : null;
  }

  private lockingContexts: Set<string> | undefined;

  /**
   * Names of `@contextmanager` methods of the module's classes that acquire their own object before
   * they yield (`self.heartbeat_acquire(); try: yield; finally: self.release()`): lock classes that
   * offer another way in.
   */
  private lockingContextMethods(): Set<string> {
    if (this.lockingContexts) return this.lockingContexts;
    const out = (this.lockingContexts = new Set<string>());
    if (this.source === undefined || !this.source.includes('contextmanager')) return out;
    for (const cls of this.classesByName.values()) {
      for (const [name, method] of cls.methods) {
        const receiver = this.scopes.get(method.id)?.receiver;
        const decorated = method.parent?.type === 'decorated_definition' && /contextmanager\b/.test(method.parent.text.slice(0, method.startIndex - method.parent.startIndex));
        if (!receiver || !decorated) continue;
        const body = method.childForFieldName('body')?.text ?? '';
        const acquire = body.search(new RegExp(`\\b${receiver}\\.\\w*acquire\\w*\\(`));
        const yielded = body.search(/\byield\b/);
        if (acquire >= 0 && yielded > acquire) out.add(name);
      }
    }
    return out;
  }

  private enteredLock(cls: ClassInfo): string | null {
    const known = this.enteredLocks.get(cls.node.id);
    if (known !== undefined) return known;
    const onOwnLock = (method: string, calls: RegExp): string[] => {
      const fn = cls.methods.get(method);
      const receiver = fn ? this.scopes.get(fn.id)?.receiver : null;
      if (!fn || !receiver) return [];
      return this.callsIn(fn).flatMap((call) => {
        const callee = call.childForFieldName('function');
        const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
        const held = object?.type === 'attribute' && object.childForFieldName('object')?.text === receiver ? object.childForFieldName('attribute')?.text : undefined;
        return held && calls.test(callee!.childForFieldName('attribute')?.text ?? '') ? [held] : [];
      });
    };
    const released = new Set(onOwnLock('__exit__', /^(?:release|__exit__)$/));
    const lock = onOwnLock('__enter__', /^(?:acquire|__enter__)$/).find((field) => released.has(field) && (cls.lockAttributes.has(field) || isLockishName(field))) ?? null;
    this.enteredLocks.set(cls.node.id, lock);
    return lock;
  }

  /** Local names assigned a lock construction in this function (`lock = threading.Lock()`). */
  /**
   * `lock = self._lock` / `with (tl := self._lock):` in this function or one it is nested in, then
   * `with lock:` (also from a nested function): the lock the name was first bound to, as written there.
   */
  private aliasDepth = 0;
  /** scope id + name → the lock the name is bound to (asked for every `with name:` and `name.acquire()`). */
  private readonly lockAliases = new Map<string, string | null>();

  lockAlias(expr: Node): string | null {
    if (expr.type !== 'identifier' || this.aliasDepth > 3) return null;
    const key = `${this.scopeOf(expr)?.node.id ?? -1}:${expr.text}`;
    const known = this.lockAliases.get(key);
    if (known !== undefined) return known;
    this.aliasDepth++;
    try {
      const alias = this.findLockAlias(expr);
      if (this.aliasDepth === 1) this.lockAliases.set(key, alias);
      return alias;
    } finally {
      this.aliasDepth--;
    }
  }

  private findLockAlias(expr: Node): string | null {
    for (let scope = this.scopeOf(expr); scope; scope = scope.parent) {
      if (scope.parameters.has(expr.text)) return null;
      for (const n of this.ownNodes(scope)) {
        const target = n.type === 'assignment' ? n.childForFieldName('left') : n.type === 'named_expression' ? n.childForFieldName('name') : null;
        if (target?.type !== 'identifier' || target.text !== expr.text) continue;
        const value = n.childForFieldName(n.type === 'assignment' ? 'right' : 'value');
        // The first binding decides; only a plain name or attribute that is a lock (not one made here).
        // `lock = getattr(self, '_lock')` (a decorator reaching its method's receiver's lock) names `self._lock`.
        const fetched = value ? getattrOfLiteral(value) : null;
        if (fetched) return isLockishName(fetched.slice(fetched.lastIndexOf('.') + 1)) ? fetched : null;
        return value && (value.type === 'attribute' || value.type === 'identifier') && value.text !== expr.text && this.isLock(value) ? value.text : null;
      }
      if (scope.locals.has(expr.text)) return null;
    }
    return null;
  }

  private localLockNames(scope: FunctionScope): Set<string> {
    const names = new Set<string>();
    for (const e of this.ownNodes(scope)) {
      if (e.type === 'assignment' && this.isLockConstruction(e.childForFieldName('right'))) boundNames(e.childForFieldName('left')).forEach((n) => names.add(n));
    }
    return names;
  }

  private collectGuardedBy(): void {
    for (const comment of this.index.comments) {
      const m = /#\s*guarded[-_]by:\s*([\w.]+)/i.exec(comment.text);
      if (!m) continue;
      const node = this.root.descendantForIndex(comment.start);
      const prev = node?.type === 'comment' ? node.previousNamedSibling : null;
      if (!prev || prev.endPosition.row !== node!.startPosition.row || prev.type !== 'expression_statement') continue;
      const assignment = namedChildren(prev)[0];
      const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
      const key = target ? this.stateKey(target) : null;
      if (key) this.guardedBy.set(key, { lock: m[1], node: target! });
    }
  }

  /** The key of a declared state: `NAME` at module level, `Class.attr` for `self.attr` in a method. */
  stateKey(target: Node): string | null {
    const scope = this.scopeOf(target);
    if (target.type === 'identifier') {
      const owner = target.parent?.parent?.parent?.parent; // assignment → statement → block → class
      if (owner?.type === 'class_definition') return `${owner.childForFieldName('name')?.text}.${target.text}`;
      return scope ? null : target.text;
    }
    if (target.type === 'attribute' && scope?.receiver && target.childForFieldName('object')?.text === scope.receiver) {
      const cls = this.classInfo(scope.classNode);
      return cls ? `${cls.name}.${target.childForFieldName('attribute')?.text}` : null;
    }
    return null;
  }

  // ----- CallableResolver -----

  /** Classes of the module `callee` names: the class itself, or a local first bound to it or to a choice of classes. */
  private classesNamedBy(callee: Node, at: Node): Node[] {
    if (callee.type !== 'identifier') return [];
    const own = this.classesByName.get(callee.text);
    if (own) return [own.node];
    const scope = this.scopeOf(at);
    const value = scope?.locals.has(callee.text) ? this.firstAssignment(scope, callee.text) : null;
    const choices = value?.type === 'conditional_expression' ? namedChildren(value).filter((_, i) => i !== 1) : value ? [value] : [];
    return choices.flatMap((c) => (c.type === 'identifier' && this.classesByName.has(c.text) ? [this.classesByName.get(c.text)!.node] : []));
  }

  /** The class whose instance a bound method (`self.serve`, `app.handle`) or a callable object (`app`) belongs to. */
  private classOfBound(expr: Node, at: Node): Node | null {
    const object = expr.type === 'attribute' ? expr.childForFieldName('object') : expr;
    if (object?.type !== 'identifier') return null;
    const scope = this.scopeOf(at);
    return (scope?.receiver === object.text && !scope.isClassMethod ? this.classInfo(scope.classNode) : this.instanceClass(object.text, scope))?.node ?? null;
  }

  callMethodOf(expr: Node, at: Node): Node | null {
    const node = expr.type === 'identifier' ? this.classOfBound(expr, at) : null;
    const cls = node ? this.classInfo(node) : null;
    if (!cls) return null;
    for (const c of [cls, ...this.basesOf(cls)]) {
      const call = c.methods.get('__call__');
      if (call) return call;
    }
    return null;
  }

  functionsFor(expr: Node, at: Node): Node[] {
    let byAt = this.resolved.get(expr.id);
    if (!byAt) this.resolved.set(expr.id, (byAt = new Map()));
    let found = byAt.get(at.id);
    if (!found) byAt.set(at.id, (found = this.resolveCallable(expr, at)));
    return found;
  }

  /** The method `name` of `cls`: its own, else the first of its module bases' that defines it (none: []). */
  private methodsOf(cls: ClassInfo | null | undefined, name: string): Node[] {
    if (!cls) return [];
    const own = cls.methods.get(name);
    if (own) return [own];
    for (const base of this.basesOf(cls)) {
      const inherited = base.methods.get(name);
      if (inherited) return [inherited];
    }
    return [];
  }

  private resolveCallable(expr: Node, at: Node): Node[] {
    if (expr.type === 'identifier') {
      const choices = loopChoices(expr.text, at);
      if (choices) return choices.flatMap((c) => this.functionsFor(c, at));
      const cls = this.classesByName.get(expr.text);
      // `Cls(…)` runs `__new__` (handed the class) and then `__init__`.
      if (cls) return [cls.methods.get('__new__'), cls.methods.get('__init__')].filter((m): m is Node => !!m);
      // Python's scoping: a function nested in an enclosing function of the call site, else the
      // module-level one — never a same-named function nested somewhere else in the module.
      const name = expr.text;
      for (let scope = this.scopeOf(at); scope; scope = scope.parent) {
        const nested = this.nestedFunctionsByName.get(scope)?.get(name);
        if (nested) return nested;
        if (scope.parameters.has(name)) return [];
        if (scope.locals.has(name)) return this.localCallables(name, scope);
      }
      return this.topLevelFunctionsByName.get(name) ?? [];
    }
    if (expr.type === 'attribute') {
      const method = expr.childForFieldName('attribute')?.text ?? '';
      const object = expr.childForFieldName('object');
      // `''.join(parts)`, `[].append`, `{}.get`: a literal's method is a built-in type's.
      if (object && LITERALS.has(object.type)) return [];
      const scope = this.scopeOf(at);
      // `if isinstance(self.policy, RetryPolicy): self.policy.update(…)`: the test names the class.
      const narrowed = object ? this.narrowedClass(object, at) : null;
      if (narrowed) return this.methodsOf(narrowed, method);
      if (object?.type === 'identifier' && scope?.receiver === object.text) {
        const own = this.methodsOf(this.classInfo(scope.classNode), method)[0];
        // `self._send = self.context.send` earlier in the function: the object's own attribute now
        // shadows the method, and the call runs whatever was stored.
        if (own && (this.receiverStores(scope).get(method) ?? Infinity) <= at.startIndex) return [];
        if (own) return [own];
      }
      if (object?.type === 'identifier') {
        const cls = this.classesByName.get(object.text) ?? this.instanceClass(object.text, scope);
        if (cls) return this.methodsOf(cls, method);
        if (this.imports.isImported(object.text) || this.foreignInstance(object.text, scope)) return [];
      }
      // `self.field.method()`: the class the field is made from in this module, if any. A field made
      // elsewhere holds some other module's object: guessing by the method's name would wire unrelated
      // code into thread reachability (`self._connections.run()` is not this module's `run`).
      if (object?.type === 'attribute' && object.childForFieldName('object')?.text === scope?.receiver) {
        const owner = this.classInfo(scope?.classNode ?? null);
        const field = object.childForFieldName('attribute')?.text ?? '';
        // `cls.sqlmeta.setClass(cls)` where the class body says `sqlmeta = sqlmeta`: a class of this
        // module kept as a class attribute, its class or static method called.
        return this.methodsOf(this.fieldClass(owner, field) ?? this.classAttributeClass(owner, field), method);
      }
      // `Cls(…).method()`: this module's class, or another module's object (`Thread(…).start()`).
      if (object?.type === 'call') {
        const cls = this.classesByName.get(object.childForFieldName('function')?.text ?? '');
        return this.methodsOf(cls, method);
      }
      // `obj.method` on an instance whose type we do not track: the method, if only one class has it.
      // Not through a field of something else (`other.field.method()`, `self.x.y.method()`): like a field
      // of the receiver above, it holds whatever object was put there, most often another module's.
      if (object?.type === 'attribute') return [];
      // Nor an item of a field (`self._workers[i].terminate()`): the class the field's stores put in it,
      // if this module's, else whatever object the container holds — not this module's same-named method.
      if (object?.type === 'subscript' && object.childForFieldName('value')?.type === 'attribute') {
        return scope ? this.methodsOf(this.itemOfField(object, scope), method) : [];
      }
      const candidates = this.methodsByName.get(method);
      if (candidates?.length !== 1) return [];
      // `self._on_message(data)` where the class keeps a callable it was handed (`self._on_message =
      // on_message`): whatever was stored runs, not another class's method that shares the name.
      if (object?.type === 'identifier' && scope?.receiver === object.text && this.storedOnSelf(this.classInfo(scope.classNode), method)) return [];
      // A built-in container's method (`exhausted = set()` … `exhausted.add(fd)`, `sources =
      // self.active_sources` … `sources.add(x)`) is no class's of the module, whatever shares its name.
      if (object?.type === 'identifier' && scope && this.holdsContainer(object, scope)) return [];
      // The object's other uses may say it is no such class (`instance.instance_type`, which it never has).
      if (object?.type === 'identifier' && scope && object.text !== scope.receiver && this.contradictsClassOf(object.text, scope, candidates[0])) return [];
      // A parameter read or written like a file or socket (`stream.read(n)` in a reader thread's loop):
      // the most duck-typed protocol there is — most often a real pipe, file or socket the caller
      // passes, not the module's one file-like class.
      if (object?.type === 'identifier' && scope?.parameters.has(object.text) && object.text !== scope.receiver && STREAM_PROTOCOL.has(method) && this.usedAsStream(object.text, scope)) return [];
      return candidates;
    }
    return [];
  }

  /** Is every attribute the function uses on `name` part of the file or socket protocol (`stream.read`, `stream.closed`)? */
  private usedAsStream(name: string, scope: FunctionScope): boolean {
    const uses = [...(scope.node.childForFieldName('body')?.text ?? '').matchAll(new RegExp(`(?<![\\w.])${name}\\.(\\w+)`, 'g'))].map((m) => m[1]);
    return uses.length > 0 && uses.every((attribute) => STREAM_PROTOCOL.has(attribute) || STREAM_ATTRIBUTES.has(attribute));
  }

  /**
   * The functions a local name is bound to in its function: a dispatch on a message's kind that picks a
   * method into a local and calls it once (`process = self._process_internal` … `process(msg)`). Each
   * binding to a method or function (`self.m`, `obj.m`, `helper`) counts; other values (None, a call's
   * result) add nothing.
   */
  private readonly localBindings = new Map<string, Node[]>();
  private bound: Set<string> | undefined;

  /** Names some assignment binds to a name or an attribute (`process = self._process`): the candidates for localCallables. */
  private aliasBoundNames(): Set<string> {
    if (this.bound) return this.bound;
    this.bound = new Set();
    for (const { node } of this.index.all('assignment')) {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (left?.type === 'identifier' && (right?.type === 'attribute' || right?.type === 'identifier')) this.bound.add(left.text);
    }
    return this.bound;
  }

  private localCallables(name: string, scope: FunctionScope): Node[] {
    const key = `${scope.node.id}:${name}`;
    const known = this.localBindings.get(key);
    if (known) return known;
    const found: Node[] = [];
    this.localBindings.set(key, found);
    for (const n of this.assignmentsOf(scope)) {
      if (n.childForFieldName('left')?.type !== 'identifier' || n.childForFieldName('left')!.text !== name) continue;
      const right = n.childForFieldName('right');
      if (right?.type === 'attribute' || (right?.type === 'identifier' && right.text !== name && !scope.locals.has(right.text))) {
        for (const fn of this.functionsFor(right, n)) if (!found.includes(fn)) found.push(fn);
      }
    }
    return found;
  }

  /**
   * A method or function named as a value only to be bound to a local that its function then only
   * calls (`process = self._process_internal` … `process(msg)`): a call by another name, not a
   * callback handed out.
   */
  boundToCalledLocal(value: Node): boolean {
    const assignment = value.parent;
    const left = assignment?.type === 'assignment' && assignment.childForFieldName('right')?.id === value.id ? assignment.childForFieldName('left') : null;
    const scope = left?.type === 'identifier' ? this.scopeOf(value) : null;
    if (!scope || !left) return false;
    const name = left.text;
    const binds = this.assignmentsOf(scope).filter((a) => a.childForFieldName('left')?.text === name).length;
    const calls = this.callsIn(scope.node).filter((c) => c.childForFieldName('function')?.type === 'identifier' && c.childForFieldName('function')!.text === name).length;
    const body = scope.node.childForFieldName('body')?.text ?? '';
    const mentions = [...body.matchAll(new RegExp(`(?<![\\w.])${name}\\b`, 'g'))].length;
    // Tests whether one was picked (`if process is None: continue`) hand nothing out either.
    const tests = [...body.matchAll(new RegExp(`(?<![\\w.])${name}\\s+is\\s+(?:not\\s+)?None\\b|\\b(?:if|elif|while)\\s+(?:not\\s+)?${name}\\s*:`, 'g'))].length;
    return calls > 0 && mentions === binds + calls + tests;
  }

  /** This module's class `object` is tested to be an instance of by an `if`/`elif` whose body holds `at`. */
  private narrowedClass(object: Node, at: Node): ClassInfo | null {
    for (let n = at.parent; n && n.type !== 'function_definition' && n.type !== 'lambda' && n.type !== 'class_definition'; n = n.parent) {
      if (n.type !== 'if_statement' && n.type !== 'elif_clause') continue;
      const body = n.childForFieldName('consequence');
      if (!body || at.startIndex < body.startIndex || at.endIndex > body.endIndex) continue;
      for (const test of conjuncts(n.childForFieldName('condition'))) {
        if (test.type !== 'call' || test.childForFieldName('function')?.text !== 'isinstance') continue;
        const [value, type] = positionalArguments(test);
        if (value?.text !== object.text || type?.type !== 'identifier') continue;
        const cls = this.classesByName.get(type.text);
        if (cls) return cls;
      }
    }
    return null;
  }

  private readonly fieldClasses = new Map<number, Map<string, ClassInfo>>();

  /** The class of this module a field of `cls` is made from (`self.pool = Pool()` in any method). */
  /** The class of this module a field of `cls` holds, when the module shows it (see fieldClass). */
  classOfField(cls: ClassInfo, field: string): ClassInfo | null {
    return this.fieldClass(cls, field);
  }

  /** `name = Cls` in the class body (Cls a class of this module): the class itself kept as an attribute. */
  private classAttributeClass(cls: ClassInfo | null, name: string): ClassInfo | null {
    const body = cls?.node.childForFieldName('body');
    for (const statement of body ? namedChildren(body) : []) {
      const assignment = statement.type === 'expression_statement' ? namedChildren(statement)[0] : null;
      if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== name) continue;
      const value = assignment.childForFieldName('right');
      return value?.type === 'identifier' ? this.classesByName.get(value.text) ?? null : null;
    }
    return null;
  }

  private fieldClass(cls: ClassInfo | null, field: string): ClassInfo | null {
    if (!cls) return null;
    let fields = this.fieldClasses.get(cls.node.id);
    if (!fields) {
      fields = new Map();
      for (const method of cls.methods.values()) {
        const scope = this.scopes.get(method.id);
        if (!scope?.receiver) continue;
        for (const n of this.ownNodes(scope)) {
          const left = n.type === 'assignment' ? n.childForFieldName('left') : null;
          const right = n.type === 'assignment' ? n.childForFieldName('right') : null;
          if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== scope.receiver || right?.type !== 'call') continue;
          const made = this.classesByName.get(right.childForFieldName('function')?.text ?? '');
          if (made) fields.set(left.childForFieldName('attribute')!.text, made);
        }
      }
      for (const [name, made] of this.constructorArgumentClasses(cls)) if (!fields.has(name)) fields.set(name, made);
      this.fieldClasses.set(cls.node.id, fields);
    }
    return fields.get(field) ?? null;
  }

  /**
   * `def __init__(self, daemon): self.daemon = daemon`, where every `Cls(…)` of the module passes its
   * own `self` there from a method of one class (`DaemonObject(self)` in `Daemon`): the field holds an
   * object of that class (a back reference to the creator).
   */
  private constructorArgumentClasses(cls: ClassInfo): Map<string, ClassInfo> {
    const out = new Map<string, ClassInfo>();
    const init = cls.methods.get('__init__');
    const scope = init ? this.scopes.get(init.id) : undefined;
    if (!init || !scope?.receiver) return out;
    const params = parameterOrder(init).slice(1);
    const sites = this.callsNamed(cls.name);
    if (sites.length === 0) return out;
    for (const n of this.ownNodes(scope)) {
      const left = n.type === 'assignment' ? n.childForFieldName('left') : null;
      const right = n.type === 'assignment' ? n.childForFieldName('right') : null;
      if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== scope.receiver || right?.type !== 'identifier') continue;
      const index = params.indexOf(right.text);
      if (index < 0) continue;
      let made: ClassInfo | null | undefined;
      for (const site of sites) {
        const args = site.childForFieldName('arguments');
        const keyword = args ? namedChildren(args).find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === right.text)?.childForFieldName('value') : undefined;
        const arg = keyword ?? positionalArguments(site)[index];
        const caller = this.scopeOf(site);
        const cls2 = arg?.type === 'identifier' && caller?.receiver === arg.text && !caller.isClassMethod ? this.classInfo(caller.classNode) : null;
        if (!cls2 || (made !== undefined && made !== cls2)) {
          made = null;
          break;
        }
        made = cls2;
      }
      if (made) out.set(left.childForFieldName('attribute')!.text, made);
    }
    return out;
  }

  /** The class of `name` when it is bound to `Cls(...)` in this function or at module level. */
  /** The class of this module that `name` denotes at `at`: the class itself, or an instance made from it. */
  classOfName(name: string, at: Node): ClassInfo | null {
    return this.classesByName.get(name) ?? this.instanceClass(name, this.scopeOf(at));
  }

  /**
   * A name known to hold another module's object: a local first bound to a call of an imported
   * callable (`ticker = Ticker(…)`), or a parameter annotated with a type this module does not
   * define (`feed: Feed`). Its methods are not this module's same-named ones.
   */
  /**
   * Does `name` at `at` hold an object of a class imported from outside the run's own package (`SCHED =
   * BackgroundScheduler(…)` at module level, or a local made so)? Its methods are that library's, never a
   * same-named method of the run. Only for a module whose package is known (a project run).
   */
  libraryInstance(name: string, at: Node): boolean {
    if (!this.imports.inPackage) return false;
    const scope = this.scopeOf(at);
    let value: Node | null | undefined;
    if (scope && (scope.locals.has(name) || scope.parameters.has(name))) value = scope.locals.has(name) ? this.firstAssignment(scope, name) : null;
    else {
      const binding = this.bindings.get(name);
      value = binding?.kind === 'value' ? binding.node : null;
    }
    const fn = value?.type === 'call' ? value.childForFieldName('function') : null;
    const head = fn ? dottedName(fn)?.[0] : undefined;
    if (!fn || !head || !this.imports.isImported(head) || this.classesByName.has(fn.text)) return false;
    const qualified = this.imports.qualifyImported(fn);
    return !!qualified && !qualified.startsWith('.') && !this.imports.inOwnPackage(qualified) && /^_?[A-Z]/.test(qualified.split('.').pop() ?? '');
  }

  private foreignInstance(name: string, scope: FunctionScope | null): boolean {
    if (!scope) return false;
    if (scope.locals.has(name)) {
      const value = this.firstAssignment(scope, name);
      const fn = value?.type === 'call' ? value.childForFieldName('function') : null;
      // Made by a factory kept in a field of something (`self.core.tracer_class(…)`): whatever class was
      // put there, as unknown as the field itself (see resolveCallable).
      if (fn?.type === 'attribute' && fn.childForFieldName('object')?.type === 'attribute') return true;
      // Or kept in a field of the receiver (`self._trace_class(…)`, no method of that name): likewise.
      if (fn?.type === 'attribute' && scope.receiver && fn.childForFieldName('object')?.text === scope.receiver) {
        const field = fn.childForFieldName('attribute')?.text ?? '';
        const cls = this.classInfo(scope.classNode);
        if (cls && !cls.methods.has(field) && ![cls, ...this.basesOf(cls)].some((c) => c.methods.has(field))) return true;
      }
      const head = fn ? dottedName(fn)?.[0] : undefined;
      return !!head && this.imports.isImported(head) && !this.classesByName.has(fn!.text);
    }
    if (!scope.parameters.has(name)) return false;
    const params = scope.node.childForFieldName('parameters');
    for (const p of params ? namedChildren(params) : []) {
      if ((p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter') || (p.childForFieldName('name') ?? namedChildren(p)[0])?.text !== name) continue;
      const type = p.childForFieldName('type')?.text.replace(/^['"]|['"]$/g, '').trim();
      const head = type?.match(/^[A-Za-z_][\w.]*$/)?.[0].split('.')[0];
      return !!head && !this.classesByName.has(type!) && this.imports.isImported(head);
    }
    return false;
  }

  /** Module-level names bound to an object of a module-level class of the module (`events = Events()`): name → class name. */
  moduleInstances(): Record<string, string> {
    const found: Record<string, string> = {};
    for (const name of this.bindings.keys()) {
      const cls = this.instanceClass(name, null);
      if (cls && cls.node.parent?.type === 'module' && this.classesByName.get(cls.name) === cls) found[name] = cls.name;
    }
    return found;
  }

  /** class node id → its fields made from an imported class (`self.worker = worker.Worker()`): field → qualified class. */
  private readonly importedFieldClasses = new Map<number, Map<string, string>>();

  /**
   * The imported class (qualified) an object expression holds, when this module makes it: a field of
   * the receiver's class (`self.worker = Worker()` in any method), a local or a module-level name bound
   * to a constructor call (`w = Worker()`). For methods other modules' summaries describe (a worker's
   * `send` that hands its argument to the worker's thread).
   */
  importedClassOf(object: Node, at: Node): string | null {
    const madeBy = (value: Node | null | undefined): string | null => {
      const maker = value?.type === 'call' ? value.childForFieldName('function') : null;
      if (maker?.type !== 'identifier' && maker?.type !== 'attribute') return null;
      const last = maker.type === 'identifier' ? maker.text : maker.childForFieldName('attribute')?.text ?? '';
      return /^_*[A-Z]/.test(last) ? this.imports.qualifyImported(maker) : null;
    };
    const scope = this.scopeOf(at);
    if (object.type === 'attribute') {
      const field = object.childForFieldName('attribute')?.text;
      const cls = scope?.receiver && object.childForFieldName('object')?.text === scope.receiver ? this.classInfo(scope.classNode) : null;
      if (!cls || !field) return null;
      let fields = this.importedFieldClasses.get(cls.node.id);
      if (!fields) {
        fields = new Map();
        for (const method of cls.methods.values()) {
          const methodScope = this.scopes.get(method.id);
          if (!methodScope?.receiver) continue;
          for (const assignment of this.assignmentsOf(methodScope)) {
            const left = assignment.childForFieldName('left');
            if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== methodScope.receiver) continue;
            const made = madeBy(assignment.childForFieldName('right'));
            if (made) fields.set(left.childForFieldName('attribute')!.text, made);
          }
        }
        this.importedFieldClasses.set(cls.node.id, fields);
      }
      return fields.get(field) ?? null;
    }
    if (object.type !== 'identifier') return null;
    if (scope?.locals.has(object.text)) return madeBy(this.firstAssignment(scope, object.text));
    const binding = this.bindings.get(object.text);
    return binding?.kind === 'value' ? madeBy(binding.node) : null;
  }

  private instanceClass(name: string, scope: FunctionScope | null): ClassInfo | null {
    const classOf = (value: Node | null | undefined) => {
      const fn = value?.type === 'call' ? value.childForFieldName('function') : null;
      if (fn?.type !== 'identifier') return fn && scope && isOwnType(fn, scope) ? this.classInfo(scope.classNode) : null;
      // `cls()` in a classmethod makes an instance of its class (or a subclass: same methods here).
      if (scope?.isClassMethod && fn.text === scope.receiver) return this.classInfo(scope.classNode);
      return this.classesByName.get(fn.text) ?? null;
    };
    if (scope?.locals.has(name)) {
      const first = this.firstAssignment(scope, name);
      return classOf(first) ?? (first && scope.receiver ? this.itemOfField(first, scope) ?? this.classOfOwnField(first, scope) : null);
    }
    const binding = this.bindings.get(name);
    return binding?.kind === 'value' ? classOf(binding.node) : null;
  }

  /**
   * `buffer = self._metric_buffer` (then `buffer.clear()` under the owner's lock): the class of this
   * module the receiver's field is made from, as for `self._metric_buffer.clear()` itself.
   */
  private classOfOwnField(value: Node, scope: FunctionScope): ClassInfo | null {
    if (value.type !== 'attribute' || value.childForFieldName('object')?.text !== scope.receiver) return null;
    return this.fieldClass(this.classInfo(scope.classNode), value.childForFieldName('attribute')?.text ?? '');
  }

  /** `self._d.get(k)` / `self._d[k]`: the one class of this module whose instances `_d`'s stores put in it. */
  private itemOfField(value: Node, scope: FunctionScope): ClassInfo | null {
    const getter = value.type === 'call' ? value.childForFieldName('function') : null;
    const container = value.type === 'subscript' ? value.childForFieldName('value') : getter?.type === 'attribute' && getter.childForFieldName('attribute')?.text === 'get' ? getter.childForFieldName('object') : null;
    if (container?.type !== 'attribute' || container.childForFieldName('object')?.text !== scope.receiver) return null;
    const cls = this.classInfo(scope.classNode);
    const field = container.childForFieldName('attribute')?.text;
    return cls && field ? this.itemClasses(cls).get(field) ?? null : null;
  }

  private readonly itemClassCache = new Map<number, Map<string, ClassInfo>>();

  /** Container fields of `cls` → the class of everything stored in them, when it is one class of this module. */
  private itemClasses(cls: ClassInfo): Map<string, ClassInfo> {
    let items = this.itemClassCache.get(cls.node.id);
    if (items) return items;
    const seen = new Map<string, Set<ClassInfo | null>>();
    for (const method of cls.methods.values()) {
      const scope = this.scopes.get(method.id);
      if (!scope?.receiver) continue;
      const fieldOf = (e: Node | null | undefined) =>
        e?.type === 'attribute' && e.childForFieldName('object')?.text === scope.receiver ? e.childForFieldName('attribute')?.text : undefined;
      const made = (v: Node | null | undefined): ClassInfo | null => {
        const fn = v?.type === 'call' ? v.childForFieldName('function') : null;
        return fn?.type === 'identifier' ? this.classesByName.get(fn.text) ?? null : null;
      };
      // A local: what its assignments make, those that read it back out of the field aside
      // (`s = self._d.get(k)` … `if not s: s = Cls(); self._d[k] = s`).
      const classOfValue = (v: Node | null | undefined, field: string): ClassInfo | null => {
        if (v?.type !== 'identifier' || !scope.locals.has(v.text)) return made(v);
        const classes = new Set<ClassInfo | null>();
        for (const a of this.assignmentsOf(scope)) {
          if (a.childForFieldName('left')?.text !== v.text) continue;
          const right = a.childForFieldName('right');
          const read = right?.type === 'subscript' ? right.childForFieldName('value') : right?.type === 'call' ? right.childForFieldName('function')?.childForFieldName('object') : null;
          if (fieldOf(read) === field) continue;
          classes.add(made(right));
        }
        return classes.size === 1 ? [...classes][0] : null;
      };
      for (const n of this.ownNodes(scope)) {
        let field: string | undefined;
        let stored: Node | null | undefined;
        const left = n.type === 'assignment' ? n.childForFieldName('left') : null;
        if (left?.type === 'subscript') {
          field = fieldOf(left.childForFieldName('value'));
          stored = n.childForFieldName('right');
          // `a = self._d[k] = Cls()`: the chain's value.
          while (stored?.type === 'assignment') stored = stored.childForFieldName('right');
        } else if (n.type === 'call') {
          const fn = n.childForFieldName('function');
          const op = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
          if (op !== 'append' && op !== 'add' && op !== 'setdefault' && op !== 'appendleft') continue;
          field = fieldOf(fn!.childForFieldName('object'));
          const args = positionalArguments(n);
          stored = op === 'setdefault' ? args[1] : args[0];
        }
        if (!field || !stored) continue;
        if (!seen.has(field)) seen.set(field, new Set());
        seen.get(field)!.add(classOfValue(stored, field));
      }
    }
    items = new Map();
    for (const [field, classes] of seen) if (classes.size === 1 && !classes.has(null)) items.set(field, [...classes][0]!);
    this.itemClassCache.set(cls.node.id, items);
    return items;
  }

  /**
   * Is `expr` (in `scope`) a list, dict, set or other builtin container by construction: `self.f` made
   * one in the class, a local or module global first bound to one, a mutable default argument?
   * (A parameter, or an object of a user class, may iterate a copy: `Mailbox.keys()` returns a list.)
   */
  isKnownContainer(expr: Node, scope: FunctionScope): boolean {
    if (expr.type === 'attribute') {
      const cls = this.classInfo(scope.classNode);
      return !!cls && !!scope.receiver && expr.childForFieldName('object')?.text === scope.receiver && this.containerFields(cls).has(expr.childForFieldName('attribute')?.text ?? '');
    }
    if (expr.type !== 'identifier') return false;
    return scope.mutableDefaults.has(expr.text) || isMutableContainer(this.containerValue(expr, scope));
  }

  /** A local or global known to hold a built-in container: made as one, or bound to a container field of `self`. */
  private readonly opaqueFamilyCache = new Map<number, boolean>();
  private moduleAttributeNames: Set<string> | null | undefined;

  /**
   * Does code in `scope` read a data attribute of `name` that no class of the module has and no code of
   * it assigns — another module's object, so not of the class of `method`? (duckTyping.ts)
   */
  private contradictsClassOf(name: string, scope: FunctionScope, method: Node): boolean {
    const classNode = this.scopeOf(method.childForFieldName('body') ?? method)?.classNode;
    const cls = classNode ? this.classInfo(classNode) : null;
    if (!cls) return false;
    let opaque = this.opaqueFamilyCache.get(cls.node.id);
    if (opaque === undefined) {
      const isOpaqueBase = (base: Node) =>
        base.type !== 'keyword_argument' && !this.classesByName.has(base.text) && !TRANSPARENT_BASE.test(base.text) && guiBaseKind(base.text, this.imports) === null;
      // The object may be of a subclass too.
      const subclasses = [...this.classes.values()].filter((c) => c !== cls && this.basesOf(c).includes(cls));
      opaque = hasOpaqueBase([cls, ...this.basesOf(cls), ...subclasses], isOpaqueBase);
      this.opaqueFamilyCache.set(cls.node.id, opaque);
    }
    const known = opaque ? null : this.moduleAttributes();
    if (!known) return false;
    let reads = this.dataReadsCache.get(scope.node.id);
    if (!reads) this.dataReadsCache.set(scope.node.id, (reads = dataAttributesReadIn(scope.node)));
    for (const attribute of reads.get(name) ?? []) if (!known.has(attribute)) return true;
    return false;
  }

  /** Every attribute any class of the module may have, or null when one makes attributes by name. */
  private moduleAttributes(): Set<string> | null {
    if (this.moduleAttributeNames !== undefined) return this.moduleAttributeNames;
    const names = new Set<string>(this.attributesAssignedAnywhere());
    for (const cls of this.classes.values()) {
      const own = classAttributes(cls);
      if (!own) return (this.moduleAttributeNames = null);
      for (const n of own) names.add(n);
    }
    return (this.moduleAttributeNames = names);
  }

  private readonly dataReadsCache = new Map<number, Map<string, Set<string>>>();
  private assignedAttributes: Set<string> | undefined;

  /** Every attribute name the module assigns through any object (`obj.x = …`, `obj.x += …`). */
  private attributesAssignedAnywhere(): Set<string> {
    if (this.assignedAttributes) return this.assignedAttributes;
    const names = (this.assignedAttributes = new Set<string>());
    for (const type of ['assignment', 'augmented_assignment'] as const) {
      for (const { node } of this.index.all(type)) {
        const left = node.childForFieldName('left');
        for (const target of left?.type === 'attribute' ? [left] : left ? left.descendantsOfType('attribute') : []) {
          const attribute = target.childForFieldName('attribute')?.text;
          if (attribute) names.add(attribute);
        }
      }
    }
    return names;
  }

  private holdsContainer(expr: Node, scope: FunctionScope): boolean {
    if (this.isKnownContainer(expr, scope)) return true;
    const value = this.containerValue(expr, scope);
    return value?.type === 'attribute' && this.isKnownContainer(value, scope);
  }

  /** The value a local or module-global container was first bound to (`items = list(…)`), if known. */
  containerValue(expr: Node, scope: FunctionScope): Node | null {
    if (expr.type !== 'identifier') return null;
    if (scope.locals.has(expr.text)) return this.firstAssignment(scope, expr.text) ?? null;
    const binding = this.resolve(expr.text, scope).kind === 'global' ? this.bindings.get(expr.text) : undefined;
    return binding?.kind === 'value' ? binding.node : null;
  }

  /** The right side of the first `name = …` in the function's own body (undefined: none). */
  private firstAssignment(scope: FunctionScope, name: string): Node | null | undefined {
    let byName = this.firstAssignments.get(scope.node.id);
    if (!byName) {
      byName = new Map();
      for (const n of this.ownNodes(scope)) {
        if (n.type !== 'assignment') continue;
        const left = n.childForFieldName('left')?.text;
        if (left !== undefined && !byName.has(left)) byName.set(left, n.childForFieldName('right'));
      }
      this.firstAssignments.set(scope.node.id, byName);
    }
    return byName.get(name);
  }

  // ----- construction -----

  private collectModuleBindings(root: Node): void {
    // What each top-level statement binds is kept on its node (taken over by a later export only while
    // its text is unchanged): an edit replays the others' bindings, in order, and reads only its own.
    for (const statement of namedChildren(root)) {
      let ops = statementBindings.get(statement);
      if (!ops) statementBindings.set(statement, (ops = bindingsOf(statement)));
      for (const op of ops) {
        if (op.ifAbsent && this.bindings.has(op.name)) continue;
        this.bindings.set(op.name, op.binding);
        if (op.script === true) this.scriptBindings.add(op.name);
        else if (op.script === false) this.scriptBindings.delete(op.name);
      }
    }
  }


  private collectDefinitions(): void {
    for (const e of this.index.all('call')) this.calls.push(e.node);
    for (const { node, fn } of this.index.all('class_definition')) {
      const name = node.childForFieldName('name')?.text ?? '';
      const bases = node.childForFieldName('superclasses');
      let threadBase: string | undefined;
      let guiConfined = false;
      for (const b of bases ? namedChildren(bases) : []) {
        const q = this.imports.qualify(b);
        if (q === 'threading.Thread' || (q === 'Thread' && this.imports.isImported('Thread')) || (!!q && !!this.options.project?.threadClasses?.has(q))) threadBase ??= 'Thread';
        const gui = b.type === 'identifier' || b.type === 'attribute' ? guiBaseKind(b.text, this.imports) : null;
        if (gui === 'thread') threadBase ??= b.text.split('.').pop();
        else if (gui === 'confined' || (!!q && !!this.options.project?.guiClasses?.has(q))) guiConfined = true;
      }
      const info: ClassInfo = { node, name, methods: new Map(), lockAttributes: new Set(), threadLocalAttributes: new Set(), threadLocalProperties: new Set(), lockAliases: new Map(), isThreadSubclass: !!threadBase, threadBase, guiConfined: guiConfined && !threadBase };
      this.classes.set(node.id, info);
      if (fn === -1 && !this.classesByName.has(name)) this.classesByName.set(name, info);
    }
    this.index.functions.forEach((fn, i) => {
      const parentIndex = this.index.functionParents[i];
      const parent = parentIndex >= 0 ? this.scopes.get(this.index.functions[parentIndex].id) ?? null : null;
      const scope = buildScope(fn, parent, this.index.inFunction(i).map((e) => e.node));
      this.scopes.set(fn.id, scope);
      this.functionIndexById.set(fn.id, i);
      push(this.functionsByName, scope.name, fn);
      if (scope.classNode) push(this.methodsByName, scope.name, fn);
      else if (!parent) push(this.topLevelFunctionsByName, scope.name, fn);
      else {
        let nested = this.nestedFunctionsByName.get(parent);
        if (!nested) this.nestedFunctionsByName.set(parent, (nested = new Map()));
        push(nested, scope.name, fn);
      }
      this.classInfo(scope.classNode)?.methods.set(scope.name, fn);
    });
    // A subclass of a Thread subclass of this module is a Thread too (its `run` runs on the thread); of a
    // GUI class, a GUI object.
    for (const info of this.classes.values()) if (isGeneratedForm(info.methods)) info.guiConfined = true;
    for (const info of this.classes.values()) {
      const bases = this.basesOf(info);
      const threadBase = info.isThreadSubclass ? undefined : bases.find((b) => b.isThreadSubclass);
      if (threadBase) {
        info.isThreadSubclass = true;
        info.threadBase = threadBase.threadBase;
      }
      if (!info.isThreadSubclass && bases.some((b) => b.guiConfined)) info.guiConfined = true;
    }
  }

  /** `@property def _buffer(self): return self._thread_locals.buffer`: each thread reads its own. */
  private collectThreadLocalProperties(): void {
    if (![...this.classes.values()].some((c) => c.threadLocalAttributes.size > 0)) return;
    for (const method of this.index.functions) {
      const scope = this.scopes.get(method.id);
      const info = scope?.receiver ? this.classInfo(scope.classNode) : null;
      if (!info || info.threadLocalAttributes.size === 0 || !decoratorNames(method).includes('property')) continue;
      const returned = this.ownNodes(scope!).filter((n) => n.type === 'return_statement');
      const perThread = (r: Node) => {
        const value = namedChildren(r)[0];
        const root = value?.type === 'attribute' ? accessRoot(value) : null;
        const holder = root?.text === scope!.receiver ? root!.parent : null;
        return holder?.type === 'attribute' && info.threadLocalAttributes.has(holder.childForFieldName('attribute')?.text ?? '');
      };
      if (returned.length > 0 && returned.every(perThread)) info.threadLocalProperties.add(scope!.name);
    }
  }

  /**
   * The module-level facts a definition's own facts can depend on — its imports, the module's bindings,
   * the names and bases of its classes, the configured lock types — as a token: a fact cached on a
   * definition's node (taken over by a later export only while its text is unchanged) stays true while
   * the token is the same object. Top-level statements that bind nothing but a definition's name enter
   * by that name; the others by their node, so an edit inside a function body keeps the token. The parts
   * are compared with the document's previous version's once per version; the facts compare tokens.
   */
  private get moduleContext(): object {
    if (this.contextToken !== undefined) return this.contextToken;
    const parts: Array<string | number> = [this.options.packageName ?? '', ...(this.options.lockTypes ?? [])];
    for (const e of this.index.all('import_statement')) parts.push(e.node.id);
    for (const e of this.index.all('import_from_statement')) parts.push(e.node.id);
    for (const e of this.index.all('class_definition')) if (e.fn === -1) parts.push(contextPart(e.node));
    for (const statement of this.root.children) parts.push(contextPart(statement));
    const last = moduleContexts.get(this.root.source);
    const same = !!last && last.parts.length === parts.length && last.parts.every((p, i) => p === parts[i]);
    const token = same ? last!.token : {};
    moduleContexts.set(this.root.source, { parts, token });
    return (this.contextToken = token);
  }

  private collectLockAttributes(info: ClassInfo): void {
    const key = this.moduleContext;
    const known = classLockFacts.get(info.node);
    if (known?.key === key) {
      for (const a of known.lockAttributes) info.lockAttributes.add(a);
      for (const a of known.threadLocalAttributes) info.threadLocalAttributes.add(a);
      for (const [a, b] of known.lockAliases) info.lockAliases.set(a, b);
      return;
    }
    this.findLockAttributes(info);
    // Copies of the names: a slice of the text would keep this version of the document alive.
    const names = (set: Iterable<string>) => [...set].map(detached);
    classLockFacts.set(info.node, { key, lockAttributes: names(info.lockAttributes), threadLocalAttributes: names(info.threadLocalAttributes), lockAliases: [...info.lockAliases].map(([a, b]) => [detached(a), detached(b)]) });
  }

  private findLockAttributes(info: ClassInfo): void {
    const body = info.node.childForFieldName('body');
    if (!body) return;
    for (const stmt of namedChildren(body)) {
      const e = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
      if (e?.type === 'assignment' && this.isLockConstruction(e.childForFieldName('right'))) {
        boundNames(e.childForFieldName('left')).forEach((n) => info.lockAttributes.add(n));
      }
      // `thread_data = threading.local()` in the class body: one object every instance reaches, whose
      // attributes are each thread's own (`self.thread_data.num_hits += n`).
      if (e?.type === 'assignment' && this.isThreadLocal(e.childForFieldName('right'))) {
        boundNames(e.childForFieldName('left')).forEach((n) => info.threadLocalAttributes.add(n));
      }
    }
    // Assignments in the methods, with the method's receiver (`self.x = …`).
    const assignments: Array<{ node: Node; receiver: string }> = [];
    for (const method of info.methods.values()) {
      const scope = this.scopes.get(method.id);
      if (!scope?.receiver) continue;
      for (const c of this.ownNodes(scope)) if (c.type === 'assignment') assignments.push({ node: c, receiver: scope.receiver });
    }
    // `self.ready = self.new_condition()` where the class's own `new_condition()` returns a new lock.
    const makesLock = (right: Node | null, receiver: string): boolean => {
      const callee = right?.type === 'call' ? right.childForFieldName('function') : null;
      const object = callee?.type === 'attribute' ? callee.childForFieldName('object')?.text : undefined;
      const method = object === receiver || object === info.name ? info.methods.get(callee!.childForFieldName('attribute')?.text ?? '') : undefined;
      const returns = method ? method.descendantsOfType('return_statement') : [];
      return returns.length > 0 && returns.every((r) => this.isLockConstruction(namedChildren(r)[0] ?? null));
    };
    for (const { node, receiver } of assignments) {
      const right = node.childForFieldName('right');
      const into = this.isLockConstruction(right) || makesLock(right, receiver) ? info.lockAttributes : this.isThreadLocal(right) ? info.threadLocalAttributes : null;
      const left = node.childForFieldName('left');
      if (into && left?.type === 'attribute' && accessRoot(left)?.text === receiver) into.add(left.childForFieldName('attribute')?.text ?? '');
    }
    // Conditions built on another lock of the object (`Condition(self._lock)`, or a factory of one:
    // `self._not_empty = make_condition(self._lock)` with a lock-like name): holding one holds the other.
    // A second pass: the lock it is built on may be assigned in a later method.
    const receiverField = (n: Node | null | undefined, receiver: string) =>
      n?.type === 'attribute' && n.childForFieldName('object')?.text === receiver ? n.childForFieldName('attribute')?.text : undefined;
    for (const { node, receiver } of assignments) {
      const right = node.childForFieldName('right');
      const field = receiverField(node.childForFieldName('left'), receiver);
      const args = right?.type === 'call' ? positionalArguments(right) : [];
      const base = args.length === 1 ? receiverField(args[0], receiver) : undefined;
      if (!field || !base || field === base || !(info.lockAttributes.has(base) || isLockishName(base))) continue;
      if (!info.lockAttributes.has(field) && !isLockishName(field)) continue;
      info.lockAttributes.add(field);
      info.lockAliases.set(field, base);
    }
  }
}

/** A module that imports an actor framework (the cheap gate of isActor). */
const ACTOR_FRAMEWORK = /\b(?:thespian|pykka)\b/;
/** Actor base classes, qualified. */
const ACTOR_BASE = /^(?:thespian(?:\.\w+)*\.(?:Actor|ActorTypeDispatcher)|pykka(?:\.\w+)*\.(?:Threading|Gevent|Eventlet)?Actor)$/;

/** The mutating methods of builtin containers, as one regex alternation (readsUnderLock). */
const MUTATOR_ALTERNATION = [...MUTATING_METHODS].join('|');

/** `type(self)` / `self.__class__` in a method: the receiver's own class. */
function isOwnType(fn: Node, scope: FunctionScope): boolean {
  const text = fn.text.replace(/\s+/g, '');
  return !!scope.receiver && !scope.isClassMethod && (text === `type(${scope.receiver})` || text === `${scope.receiver}.__class__`);
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** `getattr(obj, "name")` (no default) → `obj.name`; anything else → null. */
function getattrOfLiteral(value: Node): string | null {
  if (value.type !== 'call' || value.childForFieldName('function')?.text !== 'getattr') return null;
  const args = namedChildren(value.childForFieldName('arguments') ?? value);
  const name = args.length === 2 && args[0].type === 'identifier' && args[1].type === 'string' ? /^['"](\w+)['"]$/.exec(args[1].text)?.[1] : undefined;
  return name ? `${args[0].text}.${name}` : null;
}

/**
 * A class that says it is used by one thread: a docstring ("not thread-safe", "single-threaded", "used by
 * one thread at a time", "must be called from the loop's thread") or a `# ftaudit: confined` comment in
 * its body. Its fields are the caller's to protect; only fields its own locks guard stay shared.
 */
function isDocumentedConfined(cls: ClassInfo): boolean {
  // A docstring wraps its sentences: read it as one line.
  if (CONFINED_DOC.test(docstringOf(cls.node).replace(/\s+/g, ' '))) return true;
  const head = cls.node.text.slice(0, 2000);
  return /#\s*ftaudit:\s*confined\b/i.test(head);
}

function isProperty(method: Node): boolean {
  return decoratorNames(method).some((d) => d === 'property' || d.endsWith('.setter'));
}

/** "This is the only thread-safe method in X", "the only thread-safe methods are …". */
const ONLY_THREAD_SAFE = /\bonly thread[- ]safe methods?\b/i;

/** How code generators mark their output (generateDS, protoc, SWIG, ANTLR, Go-style `Code generated … DO NOT EDIT`). */
// The phrase opens a line ("# Autogenerated by Thrift", "This file was generated by…"), so a docstring
// that mentions "tables generated by pgen" is not one.
const GENERATED_MARK = /(?:^|\n)[#\s]*(?:this (?:file|module|code) (?:is|was|has been) )?(?:auto-?generated|generated\s+(?:by|from|with|using)\b)|\bdo\s+not\s+edit\b|@generated\b/i;

const CONFINED_DOC = new RegExp(String.raw`not (?:\w+ )?thread[- ]?safe|not (?:\w+ )?concurrency[- ]?safe|not safe (?:to (?:be )?use(?:d)? |for (?:use )?)?(?:in |from |across |for )?(?:concurrent|multiple threads|several threads|multithreaded)|(?:must|should|can) ?not (?:be )?(?:span|shared|used) (?:across |between |among |by |from |in )?(?:(?:multiple|several|different|concurrent) )?threads|${SINGLE_THREADED}|(?:by|from|on|in) (?:one|a single|the same|its own|the loop's|the event loop's) thread|one thread at a time|confined to (?:one|a single|its) thread`, 'i');

/**
 * Kinds of class whose instances are confined by what they are: exceptions (raised and caught by one
 * thread), iterators (consumed by their caller), enum members and named tuples (immutable), test cases.
 */
/**
 * A method body with the uses of its object that hand it to nobody blanked out: built-ins that only
 * look at it (`isinstance(self, …)`, `type(self)`, `len(self)`, `super(Cls, self)`), identity tests,
 * iterating it, and a dispatch through `getattr(self, name)` whose bound method is called at once or
 * kept in a local that is only called or tested (`method = getattr(self, op, None)` … `method(arg)`).
 */
function withoutInspections(body: string, receiver: string): string {
  const r = receiver;
  let text = body
    .replace(new RegExp(`(?<![\\w.])(isinstance|issubclass|type|id|len|repr|str|hash|bool|hasattr|vars)\\(\\s*${r}\\b(?=\\s*[,)])`, 'g'), '$1(')
    .replace(new RegExp(`(?<![\\w.])super\\(\\s*\\w+\\s*,\\s*${r}\\s*\\)`, 'g'), 'super()')
    .replace(new RegExp(`(?<![\\w.])${r}\\s+is\\b|\\bis\\s+(?:not\\s+)?${r}\\b(?!\\s*\\.)|\\bin\\s+${r}\\s*:`, 'g'), ' ');
  // `getattr(self, name)(…)`: looked up and called.
  text = text.replace(new RegExp(`(?<![\\w.])getattr\\(\\s*${r}\\s*,([^()\\n]*(?:\\([^()\\n]*\\)[^()\\n]*)*)\\)(?=\\s*\\()`, 'g'), 'getattr(_,$1)');
  // `method = getattr(self, name, None)`: kept in a local that the body only calls or tests.
  for (const m of [...text.matchAll(new RegExp(`(?<![\\w.])(\\w+)\\s*=\\s*getattr\\(\\s*${r}\\s*,([^()\\n]*)\\)`, 'g'))]) {
    const local = m[1];
    const handedOn = [...text.matchAll(new RegExp(`(?<![\\w.])${local}\\b`, 'g'))].some((u) => {
      const after = text.slice(u.index! + local.length);
      const before = text.slice(0, u.index!);
      const called = /^\s*\(/.test(after);
      const tested = /^\s*(?:is\b|[=!]=|:)/.test(after) || /(?:\b(?:if|elif|while|not|and|or))\s+$/.test(before);
      const rebound = /^\s*=(?!=)/.test(after);
      return !called && !tested && !rebound;
    });
    if (!handedOn) text = text.replace(m[0], `${local} = getattr(_,${m[2]})`);
  }
  return text;
}

function isConfinedByKind(cls: ClassInfo): boolean {
  const bases = cls.node.childForFieldName('superclasses')?.text ?? '';
  // asyncio protocols live on their event loop's thread; a socketserver request handler is made for
  // one request and lives on the thread serving it.
  if (/Exception|Error|Warning|Enum|NamedTuple|TestCase|\blocal\b|Protocol\b|RequestHandler\b/.test(bases)) return true;
  // An iterator — or the base its iterators share (`BaseResponseIterator`, whose `__next__` a subclass
  // in another module defines) — is walked by one consumer: a generator raises if two threads step it.
  const iterator = cls.methods.has('__next__') || (/Iterator$/.test(cls.name) && cls.lockAttributes.size === 0);
  return iterator || /^Test/.test(cls.name) || isBuilder(cls) || isLoopBound(cls) || isEventLoopObject(cls) || isStreamObject(cls);
}

/** Calls that keep a callable to call it back later, on whatever thread runs them. */
const CALLBACK_TAKER = /connect|register|subscribe|listen|callback|handler|hook|signal|bind|idle_add|timeout_add|call_soon|call_later|call_at|Thread|Timer|submit|schedule|watch|add_done|add_reader|add_writer/i;

/** The file protocol's methods besides `read` / `write`. */
const FILE_METHODS: ReadonlySet<string> = new Set(['readline', 'readlines', 'readinto', 'writelines', 'seek', 'tell', 'flush', 'fileno', 'readable', 'writable', 'seekable', 'truncate']);

/**
 * A file-like object: it reads or writes as a file does (`read(size)` or `write(data)` with another
 * method of the file protocol — `readline`, `seek`, `tell`, `flush`, … — or `read` with `close`): a
 * wrapper around one request's or one transfer's stream. A `write(spans)` alone is no file. File objects are
 * used by one thread at a time by contract (the `io` classes do not promise more), so its state is its
 * one user's. Not when the class takes a thread lock or starts threads itself (CROSSES_THREADS): then
 * it is meant to be shared.
 */
function isStreamObject(cls: ClassInfo): boolean {
  const reads = cls.methods.has('read') || cls.methods.has('readinto');
  const writes = cls.methods.has('write');
  if (!reads && !writes) return false;
  const fileMethods = [...cls.methods.keys()].filter((m) => FILE_METHODS.has(m)).length;
  if (fileMethods === 0 && !(reads && cls.methods.has('close'))) return false;
  return cls.lockAttributes.size === 0 && !CROSSES_THREADS.test(cls.node.text);
}

/** An asyncio (or Twisted) protocol's callbacks: the loop calls them on its thread. */
const PROTOCOL_CALLBACKS: ReadonlySet<string> = new Set([
  'data_received', 'datagram_received', 'connection_made', 'connection_lost', 'eof_received', 'error_received',
  'dataReceived', 'datagramReceived', 'connectionMade', 'connectionLost',
]);

/** What a class does when other threads do call it: hands work over, drives a loop, starts threads, takes a thread lock. */
const CROSSES_THREADS = /threadsafe|to_thread|run_in_executor|run_until_complete|run_forever|\bThread\(|\bthreading\.|(?<![\w.])R?Lock\(\)/;

/**
 * An object of event-loop code: most of its public interface is coroutines (an async result, an asyncio
 * condition), or it is a protocol whose callbacks the loop runs. Such objects live on their loop's
 * thread — asyncio's own objects are not thread-safe by contract — unless the class itself says other
 * threads reach it (CROSSES_THREADS).
 */
function isEventLoopObject(cls: ClassInfo): boolean {
  let coroutines = 0;
  let plain = 0;
  let callbacks = 0;
  for (const [name, method] of cls.methods) {
    if (method.firstChild?.type === 'async') coroutines++;
    else if (!name.startsWith('_')) plain++;
    if (PROTOCOL_CALLBACKS.has(name)) callbacks++;
  }
  if (!((coroutines >= 2 && coroutines > plain) || callbacks >= 2)) return false;
  return !CROSSES_THREADS.test(cls.node.text);
}

/**
 * An object bound to an event loop (`self._loop = asyncio.get_running_loop()`, `self.io_loop =
 * IOLoop.current()`, a `loop` argument kept on `self`, methods that ask for `current_task()`) belongs to
 * that loop's thread: event-loop frameworks' objects are not thread-safe by contract. Not when the class
 * hands work across threads itself (`call_soon_threadsafe`, `run_coroutine_threadsafe`, `add_callback` from another thread), or
 * drives the loop itself (`run_until_complete`: a blocking client over asyncio) — then other threads
 * do call it.
 */
function isLoopBound(cls: ClassInfo): boolean {
  const text = cls.node.text;
  if ((!LOOP_FIELD.test(text) && !TASK_BOUND.test(text)) || /threadsafe|to_thread|run_in_executor|run_until_complete|run_forever|\bThread\(|add_callback_from_signal/.test(text)) return false;
  return cls.lockAttributes.size === 0;
}

/**
 * `current_task()`, `get_running_loop()`: they raise on a thread with no running loop, so a class whose
 * methods call them (a cancel scope keeping its host task) is used on its loop's thread.
 */
const TASK_BOUND = /(?<![\w.])(?:asyncio\.)?(?:current_task|get_running_loop)\(\)/;

/** `self._loop = asyncio.get_event_loop()`, `self.io_loop = IOLoop.current()`, `self._loop = loop`, `self.__loop = loop` (name-mangled). */
const LOOP_FIELD = /\bself\.(?:_{0,2}(?:event_)?loop|_{0,2}io_loop)\s*=\s*(?:[\w.]*(?:get_event_loop|get_running_loop|IOLoop\.current|IOLoop\.instance)\(|(?:_?(?:event_)?loop|io_loop)\b)/;

/**
 * A builder: named so, or with two or more public methods that end `return self` (`b.set(…).name(…)`),
 * and no lock of its own — a value one thread puts together, then hands over what it builds.
 */
function isBuilder(cls: ClassInfo): boolean {
  if (cls.lockAttributes.size > 0) return false;
  if (/Builder$/.test(cls.name)) return true;
  let fluent = 0;
  for (const [name, method] of cls.methods) {
    if (name.startsWith('_')) continue;
    const body = method.childForFieldName('body');
    const last = body ? namedChildren(body).pop() : null;
    const receiver = namedChildren(method.childForFieldName('parameters') ?? method)[0]?.text;
    if (last?.type === 'return_statement' && receiver && namedChildren(last)[0]?.text === receiver && ++fluent >= 2) return true;
  }
  return false;
}


/** `a and b and c` → [a, b, c] (through parentheses); any other condition → [it]. */
function conjuncts(condition: Node | null): Node[] {
  if (!condition) return [];
  if (condition.type === 'parenthesized_expression') return conjuncts(namedChildren(condition)[0] ?? null);
  if (condition.type === 'boolean_operator' && condition.children.some((c) => c.type === 'and')) {
    return [...conjuncts(condition.childForFieldName('left')), ...conjuncts(condition.childForFieldName('right'))];
  }
  return [condition];
}

/** Appends `value` to `key`'s list in `map`. */
/** Expressions that make a built-in type's value (a string, a number, a display or a comprehension). */
const LITERALS = new Set(['string', 'concatenated_string', 'integer', 'float', 'list', 'dictionary', 'set', 'tuple', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension', 'generator_expression', 'true', 'false', 'none']);

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
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

/**
 * A `Thread` subclass without `run` whose `__init__` hands the base one of its methods as the target
 * (`super().__init__(target=self.work)`, `Thread.__init__(self, target=self.work)`): what the thread runs.
 */
function threadTargetMethod(cls: ClassInfo): Node | null {
  const init = cls.methods.get('__init__');
  if (!init) return null;
  for (const call of init.descendantsOfType('call')) {
    const callee = call.childForFieldName('function');
    if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== '__init__') continue;
    const target = keywordArgument(call, 'target');
    const object = target?.type === 'attribute' ? target.childForFieldName('object')?.text : undefined;
    const method = target?.type === 'attribute' ? cls.methods.get(target.childForFieldName('attribute')?.text ?? '') : undefined;
    if (method && object === parameterOrder(init)[0]) return method;
  }
  return null;
}

/** Is `node` inside a `for` or `while` loop of `fn` (not counting loops of functions nested in it)? */
function insideLoop(node: Node, fn: Node): boolean {
  for (let n = node.parent; n && n !== fn; n = n.parent) {
    if (n.type === 'for_statement' || n.type === 'while_statement') return true;
    if (n.type === 'function_definition' || n.type === 'lambda') return false;
  }
  return false;
}

/** An `import` / `from … import` statement directly at the module's top level naming a module that matches `re`. */
function importsAtTopLevel(root: Node, re: RegExp): boolean {
  for (const statement of namedChildren(root)) {
    if (statement.type === 'import_from_statement') {
      const module = statement.childForFieldName('module_name');
      if (module && re.test(module.text)) return true;
    } else if (statement.type === 'import_statement') {
      for (const name of namedChildren(statement)) {
        const dotted = name.type === 'aliased_import' ? name.childForFieldName('name') : name;
        if (dotted && re.test(dotted.text)) return true;
      }
    }
  }
  return false;
}

/**
 * `with self.database_locks() as (videodb, jellyfindb):` — a helper that takes a lock to hand out a
 * resource, which the block works on: the lock guards the resource, and the block's other accesses
 * are no sign that the fields it touches are meant to be shared.
 */
function acquiresResource(lock: Node): boolean {
  return lock.type === 'call' && lock.parent?.type === 'as_pattern';
}
