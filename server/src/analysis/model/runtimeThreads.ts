// Callables the runtime itself calls on other threads, with no `Thread(target=…)` in sight: trace and
// profile hooks every new thread runs, `sys.monitoring` and audit hooks any thread may run, a pool's
// per-worker initializer, a future's done-callbacks (run by the worker that finishes it), and the
// request handlers of a threading socket server (one thread per request).
import type { Node } from '../parser';
import type { ImportTable } from './imports';
import { keywordArgument, namedChildren, positionalArguments, snippet } from './syntax';

/** The callee names (last part) that may hand a callable to the runtime's threads: a cheap text gate. */
export const RUNTIME_SPAWNER_WORDS = /settrace|setprofile|register_callback|addaudithook|add_done_callback|ThreadPoolExecutor/;

const THREADING_HOOKS = /^(?:settrace|setprofile)(?:_all_threads)?$/;

/** Calls whose result is a `concurrent.futures.Future` finished on another thread. */
const FUTURE_PRODUCER = /(?:\.submit|(?:^|\.)run_coroutine_threadsafe)\($/;

/**
 * The callable `call` hands to the runtime's threads, with a label for messages; null when it hands
 * none. `enclosing` is the text of the code the receiver of `add_done_callback` may have been bound in
 * (the function, and for `self.x` receivers the class).
 */
export function runtimeCallback(call: Node, imports: ImportTable, enclosing: () => string): [Node, string] | null {
  const fnExpr = call.childForFieldName('function');
  if (!fnExpr) return null;
  const positional = positionalArguments(call);
  const label = (target: Node | undefined | null, text: string): [Node, string] | null => (target ? [target, text] : null);
  const qualified = imports.qualify(fnExpr) ?? '';
  const method = fnExpr.type === 'attribute' ? fnExpr.childForFieldName('attribute')?.text ?? '' : '';
  const object = fnExpr.type === 'attribute' ? fnExpr.childForFieldName('object') : null;
  // `threading.settrace(fn)`, or the module kept on an object (`self.threading.settrace(fn)`).
  if (THREADING_HOOKS.test(method) && (qualified.startsWith('threading.') || /(?:^|\.)threading$/.test(object?.text ?? ''))) {
    return label(positional[0], `${snippet(fnExpr, 40)}(${positional[0] ? snippet(positional[0], 40) : '…'}): every thread started afterwards calls it`);
  }
  if (qualified === 'sys.monitoring.register_callback') return label(positional[2], `${snippet(fnExpr, 40)}(…, ${positional[2] ? snippet(positional[2], 40) : '…'}): any thread running monitored code calls it`);
  if (qualified === 'sys.addaudithook') return label(positional[0], `${snippet(fnExpr, 40)}(${positional[0] ? snippet(positional[0], 40) : '…'}): any thread raising an audit event calls it`);
  if (qualified.endsWith('ThreadPoolExecutor') && (qualified.startsWith('concurrent.futures') || imports.isImported('ThreadPoolExecutor'))) {
    const init = keywordArgument(call, 'initializer') ?? positional[2];
    return label(init, `${snippet(fnExpr, 40)}(initializer=${init ? snippet(init, 40) : '…'}): each worker thread calls it`);
  }
  if (method === 'add_done_callback' && object && isThreadFuture(object, enclosing)) {
    return label(positional[0], `${snippet(fnExpr, 40)}(${positional[0] ? snippet(positional[0], 40) : '…'}): the worker thread that finishes the future calls it`);
  }
  return null;
}

/** `executor.submit(f)`, or a name or field the enclosing code bound to one. */
function isThreadFuture(receiver: Node, enclosing: () => string): boolean {
  if (receiver.type === 'call') return FUTURE_PRODUCER.test(`${receiver.childForFieldName('function')?.text ?? ''}(`);
  if (receiver.type !== 'identifier' && receiver.type !== 'attribute') return false;
  const name = receiver.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^\\w.])${name}\\s*(?::[^=\\n]*)?=\\s*[^=\\n]*?(?:\\.submit|run_coroutine_threadsafe)\\(`, 'm').test(enclosing());
}

/** socketserver / http.server classes that serve each request on a thread of its own. */
const THREADING_SERVER = String.raw`Threading(?:TCP|UDP|UnixStream|UnixDatagram|HTTP|XMLRPC)?Server`;
const THREADING_SERVERS = new RegExp(String.raw`^(?:socketserver\.|http\.server\.|xmlrpc\.server\.)?${THREADING_SERVER}$`);
/** A base class that makes a server serve each request on a thread of its own. */
const THREADING_BASE = new RegExp(String.raw`(?:^|\.)(?:ThreadingMixIn|${THREADING_SERVER})$`);

/** Methods of a `BaseRequestHandler` the server calls for each request. */
const HANDLER_METHODS = /^(?:setup|handle|finish|handle_one_request|do_[A-Z]+)$/;

export interface ServerClasses {
  /** A class of this module by name, with its methods and its bases' text. */
  classNamed(name: string): { node: Node; methods: ReadonlyMap<string, Node> } | null;
  /** The class whose method holds this node. */
  enclosingClass(node: Node): Node | null;
  /** Classes of the module a callee names: `Server`, or a local bound to one or a choice of them (`A if c else B`). */
  classesNamedBy(callee: Node, at: Node): Node[];
  /** The class of the module an expression's object belongs to: `self` in a method, or a local or global bound to `Cls(…)`. */
  classOfValue(expr: Node, at: Node): Node | null;
  /** The parameters a class's constructor takes after `self`, in order (none when it defines no `__init__`). */
  constructorParameters(cls: Node): string[];
  /** The class and its bases defined in this module, nearest first. */
  lineage(cls: Node): Array<{ node: Node; methods: ReadonlyMap<string, Node> }>;
}

export interface ServerHandlers {
  /** The handler methods the server runs for each request, on the request's thread. */
  entries: Array<{ fn: Node; via: string }>;
  /** WSGI applications a threading server calls on each request's thread (`server.set_app(app)`): the callable's expression. */
  applications: Array<{ app: Node; site: Node; via: string }>;
  /** Handler classes (and their bases of this module) → how they are served: their `self.server` is shared. */
  handlerClasses: Map<number, string>;
}

/**
 * Request-handler methods of threading servers constructed in this module: `ThreadingTCPServer(addr,
 * Handler)`, `ThreadingHTTPServer(…)`, or a server class of this module mixing in `ThreadingMixIn`.
 * Each request gets its own handler object, so only what handlers reach beyond it is shared.
 */
export function threadingServerHandlers(calls: readonly Node[], imports: ImportTable, classes: ServerClasses, source: string): ServerHandlers {
  const out: Array<{ fn: Node; via: string }> = [];
  const handlerClasses = new Map<number, string>();
  const applications: ServerHandlers['applications'] = [];
  if (!/Threading/.test(source)) return { entries: out, handlerClasses, applications };
  // Server classes of the module whose constructor takes the handler and passes it up
  // (`def __init__(self, config, address, RequestHandlerClass): super().__init__(address, RequestHandlerClass)`).
  const handlerParameters = new Map<number, { name: string; index: number }>();
  const passedUp: Array<{ call: Node; owner: Node; handler: Node }> = [];
  for (const call of calls) {
    const callee = call.childForFieldName('function');
    if (!callee || !/^(?:super\(\s*\)|\w+)\.__init__$/.test(callee.text)) continue;
    const owner = classes.enclosingClass(call);
    if (!owner || !isThreadingServer(owner, classes)) continue;
    const handler = keywordArgument(call, 'RequestHandlerClass') ?? positionalArguments(call)[callee.text.startsWith('super') ? 1 : 2];
    if (handler?.type !== 'identifier') continue;
    const index = classes.constructorParameters(owner).indexOf(handler.text);
    if (index >= 0) handlerParameters.set(owner.id, { name: handler.text, index });
    else passedUp.push({ call, owner, handler });
  }
  const seen = new Set<number>();
  const serve = (server: string, handler: Node | null | undefined) => {
    const handlerClass = handler?.type === 'identifier' ? classes.classNamed(handler.text) : null;
    if (!handlerClass) return;
    const via = `${server}(…, ${handler!.text}) handles each request on a thread of its own`;
    const named = new Set<string>();
    for (const cls of classes.lineage(handlerClass.node)) {
      if (!handlerClasses.has(cls.node.id)) handlerClasses.set(cls.node.id, via);
      for (const [name, fn] of cls.methods) {
        if (named.has(name) || !HANDLER_METHODS.test(name)) continue;
        named.add(name);
        if (!seen.has(fn.id)) out.push({ fn, via });
        seen.add(fn.id);
      }
    }
  };
  // `super().__init__(addr, Handler)` with the handler class itself.
  for (const { owner, handler } of passedUp) serve(owner.childForFieldName('name')?.text ?? 'the server', handler);
  for (const call of calls) {
    const callee = call.childForFieldName('function');
    if (!callee) continue;
    // `self.set_app(self.serve)` in a threading WSGI server, or `server.set_app(app)` on one.
    if (callee.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'set_app') {
      const object = callee.childForFieldName('object');
      const server = object ? classes.classOfValue(object, call) : null;
      const app = positionalArguments(call)[0];
      if (server && app && isThreadingServer(server, classes)) applications.push({ app, site: call, via: `${snippet(callee, 40)}(${snippet(app, 40)}): the threading server runs the application on each request's thread` });
      continue;
    }
    if (!/Threading|Server|server/.test(callee.text)) continue;
    const qualified = imports.qualify(callee) ?? callee.text;
    if (THREADING_SERVERS.test(qualified)) {
      serve(callee.text, keywordArgument(call, 'RequestHandlerClass') ?? positionalArguments(call)[1]);
      continue;
    }
    // A server class of the module, by name or through a local (`server_class = A if ssl else B`).
    for (const server of classes.classesNamedBy(callee, call)) {
      if (!isThreadingServer(server, classes)) continue;
      const parameter = classes.lineage(server).map((c) => handlerParameters.get(c.node.id)).find((p) => p);
      const handler = parameter ? keywordArgument(call, parameter.name) ?? positionalArguments(call)[parameter.index] : keywordArgument(call, 'RequestHandlerClass') ?? positionalArguments(call)[1];
      serve(callee.text, handler);
    }
  }
  return { entries: out, handlerClasses, applications };
}

function threadingServerClass(name: string, classes: ServerClasses): boolean {
  const cls = /^\w+$/.test(name) ? classes.classNamed(name) : null;
  return !!cls && isThreadingServer(cls.node, classes);
}

function isThreadingServer(cls: Node, classes: ServerClasses): boolean {
  return classes.lineage(cls).some((c) => {
    const bases = c.node.childForFieldName('superclasses');
    return !!bases && namedChildren(bases).some((b) => THREADING_BASE.test(b.text));
  });
}
