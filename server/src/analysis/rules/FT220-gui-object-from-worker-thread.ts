// FT220 — a GUI toolkit's object (a widget, a GTK list store, a Tk variable) used from code a worker
// thread runs. Docs: docs/rules/FT220.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ClassInfo, ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { importedToolkit, toolkitObjectMaker, toolkitOfBase, type Toolkit } from '../model/guiThread';
import { insideLambda, keywordArgument, namedChildren, positionalArguments, snippet } from '../model/syntax';
import { parameterNames } from '../model/scopes';
import { textHas } from './hazards';

const GATE = /Gtk|Adw|Handy|Qt|PySide|qtpy|tkinter|Tkinter|ttk|wx|kivy/;

/**
 * Methods made to be called from other threads: a Qt signal's `emit` (queued to the receiver's thread),
 * Qt's `deleteLater`, Tk's `event_generate` and `after*` (which the GUI idiom uses to post work to the
 * loop), wx's event queueing.
 */
const THREAD_SAFE_METHODS = new Set(['emit', 'deleteLater', 'event_generate', 'after', 'after_idle', 'after_cancel', 'QueueEvent', 'AddPendingEvent', 'PostEvent']);

/** Qt's model items for the convenience views: data objects, not QObjects, until a view takes them. */
const QT_ITEM_VALUE = /(?:^|\.)Q(?:ListWidget|TreeWidget|TableWidget)Item$/;

/** Toolkit functions (capitalised like classes in wx) made to be called from any thread. */
const THREAD_SAFE_FUNCTIONS = /(?:^|\.)(?:CallAfter|PostEvent|QueueEvent|WakeUpIdle|GetApp|IsMainThread|MutexGuiEnter|MutexGuiLeave)$/;

/**
 * `Gtk.RecentManager.get_default()`, `Gdk.Screen.get_default()`, `Gtk.Clipboard.get(…)`: a toolkit
 * class's process-wide object, fetched — owned by the GUI thread as a widget is.
 */
function toolkitSingleton(callee: string, imports: Parameters<typeof toolkitObjectMaker>[1]): Toolkit | null {
  const parts = callee.split('.');
  if (parts.length < 2 || !/^(?:get_default|get_for_display|get_for_screen|get)$/.test(parts[parts.length - 1])) return null;
  const toolkit = toolkitObjectMaker(parts.slice(0, -1).join('.'), imports);
  return toolkit === 'GTK' ? toolkit : null;
}

/** How each toolkit wants work handed to its thread (for the message). */
const HAND_OVER: Record<Toolkit, string> = {
  GTK: 'hand the update to the main loop with `GLib.idle_add(…)`',
  Qt: 'emit a signal connected to a slot of the object (Qt queues it to the object\'s thread), or use `QMetaObject.invokeMethod(…, Qt.QueuedConnection)`',
  Tk: 'put the result on a `queue.Queue` the GUI polls with `after(…)`',
  wx: 'hand the update to the GUI thread with `wx.CallAfter(…)`',
  Kivy: 'schedule the update on the main thread with `Clock.schedule_once(…)` (or `@mainthread`)',
};

/** A field of `self` holding a toolkit object (`self.label = Gtk.Label()`), or a dict of them (`self.labels[k] = label`). */
interface ToolkitField {
  toolkit: Toolkit;
  /** What made it, for the message: `Gtk.Label(…)`. */
  maker: string;
  line: number;
}

const fieldsCache = new WeakMap<ModuleModel, Map<number, Map<string, ToolkitField>>>();

/** Per class, the fields its methods set to toolkit objects made on the thread running them (not a worker's). */
function toolkitFields(model: ModuleModel): Map<number, Map<string, ToolkitField>> {
  let byClass = fieldsCache.get(model);
  if (byClass) return byClass;
  byClass = new Map();
  const found = byClass;
  const record = (cls: Node, field: string, made: ToolkitField) => {
    let fields = found.get(cls.id);
    if (!fields) found.set(cls.id, (fields = new Map()));
    if (!fields.has(field)) fields.set(field, made);
  };
  // Objects fetched from a UI definition (`self.builder.get_object(…)`) wait for a second pass: the
  // builder may be a field set later in the source.
  const fetched: Array<{ scope: FunctionScope; field: string; right: Node }> = [];
  for (const { node } of model.index.all('assignment')) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) continue;
    const scope = model.scopeOf(node);
    if (!scope?.receiver || !scope.classNode || scope.isClassMethod) continue;
    const field = fieldOf(left.type === 'subscript' ? left.childForFieldName('value') : left, scope);
    if (!field) continue;
    const entry = model.threads.entryFor(scope);
    if (entry && !entry.assumed) continue;
    const made = toolkitValue(right, scope, model);
    if (made) record(scope.classNode, field, made);
    else if (builderReceiver(right)) fetched.push({ scope, field, right });
  }
  for (const { scope, field, right } of fetched) {
    const made = builtObject(right, scope, model, found);
    if (made) record(scope.classNode!, field, made);
  }
  // A template's children (`label = Gtk.Template.Child()` in the class body): the widgets of its UI file.
  for (const cls of model.classes.values()) {
    const body = cls.node.childForFieldName('body');
    for (const statement of body ? namedChildren(body) : []) {
      const assignment = statement.type === 'expression_statement' ? namedChildren(statement)[0] : null;
      const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
      const right = assignment?.childForFieldName('right');
      const callee = right?.type === 'call' ? right.childForFieldName('function') : null;
      if (left?.type !== 'identifier' || !callee || !/(?:^|\.)Template\.Child$/.test(callee.text)) continue;
      const toolkit = toolkitObjectMaker(callee.text, model.imports);
      if (toolkit) record(cls.node, left.text, { toolkit, maker: `${callee.text}(…)`, line: right!.startPosition.row + 1 });
    }
  }
  // Then the fields a worker's constructor sets from what its callers pass: `Worker(self.label)` with
  // `def __init__(self, label): self.label = label` — when every `Worker(…)` of the module passes one.
  for (const cls of model.classes.values()) {
    const passed = constructorToolkitFields(cls, model, byClass);
    if (passed.size === 0) continue;
    let fields = byClass.get(cls.node.id);
    if (!fields) byClass.set(cls.node.id, (fields = new Map()));
    for (const [field, made] of passed) if (!fields.has(field)) fields.set(field, made);
  }
  fieldsCache.set(model, byClass);
  return byClass;
}

/** `self.<field> = <parameter>` in `__init__`, where every call of the class in the module passes a toolkit object there. */
function constructorToolkitFields(cls: ClassInfo, model: ModuleModel, known: Map<number, Map<string, ToolkitField>>): Map<string, ToolkitField> {
  const out = new Map<string, ToolkitField>();
  const init = cls.methods.get('__init__');
  const scope = init ? model.scopeOf(init.childForFieldName('body') ?? init) : null;
  const sites = init && cls.node.parent?.type === 'module' ? model.callsNamed(cls.name) : [];
  if (!init || !scope?.receiver || sites.length === 0) return out;
  const params = parameterNames(init).slice(1);
  for (const assignment of model.assignmentsOf(scope)) {
    const field = fieldOf(assignment.childForFieldName('left'), scope);
    const right = assignment.childForFieldName('right');
    const index = right?.type === 'identifier' ? params.indexOf(right.text) : -1;
    if (!field || index < 0) continue;
    let made: ToolkitField | null = null;
    for (const site of sites) {
      const caller = model.scopeOf(site);
      const arg = positionalArguments(site)[index] ?? keywordArgument(site, right!.text);
      const passed = arg && caller ? passedToolkitObject(arg, caller, model, known) : null;
      if (!passed) {
        made = null;
        break;
      }
      made ??= passed;
    }
    if (made) out.set(field, made);
  }
  return out;
}

/** A toolkit object an argument passes: one made right there or bound to a local, or a toolkit field of the caller's `self`. */
function passedToolkitObject(arg: Node, caller: FunctionScope, model: ModuleModel, known: Map<number, Map<string, ToolkitField>>): ToolkitField | null {
  const field = caller.classNode ? fieldOf(arg, caller) : null;
  if (field) return known.get(caller.classNode!.id)?.get(field) ?? null;
  return toolkitValue(arg, caller, model);
}

/**
 * The method whose `self` code in `scope` sees: the scope itself, or the method a nested function is
 * defined in, when nothing in between binds the name again. Null outside methods (and in class methods).
 */
function methodSeenFrom(scope: FunctionScope): FunctionScope | null {
  let method: FunctionScope | null = scope;
  const between: FunctionScope[] = [];
  while (method && !method.receiver) {
    between.push(method);
    method = method.parent;
  }
  if (!method?.receiver || method.isClassMethod || !method.classNode) return null;
  const name = method.receiver;
  return between.some((s) => s.parameters.has(name) || s.locals.has(name)) ? null : method;
}

/** `self.<field>` in a method: the field's name. */
function fieldOf(expr: Node | null, scope: FunctionScope): string | null {
  if (expr?.type !== 'attribute' || expr.childForFieldName('object')?.text !== scope.receiver) return null;
  return expr.childForFieldName('attribute')?.text ?? null;
}

/** A toolkit object a value makes: a toolkit constructor call, or a local of the same function bound to one. */
function toolkitValue(value: Node, scope: FunctionScope, model: ModuleModel): ToolkitField | null {
  if (value.type === 'identifier') {
    const bound = model.assignmentsOf(scope).filter((a) => a.childForFieldName('left')?.text === value.text && a.startIndex < value.startIndex);
    const last = bound[bound.length - 1]?.childForFieldName('right');
    return last && last.type === 'call' ? toolkitValue(last, scope, model) : null;
  }
  if (value.type !== 'call') return null;
  const callee = value.childForFieldName('function');
  if (callee?.type !== 'identifier' && callee?.type !== 'attribute') return null;
  const toolkit = toolkitObjectMaker(callee.text, model.imports);
  return toolkit ? { toolkit, maker: `${callee.text}(…)`, line: value.startPosition.row + 1 } : null;
}

/** The builder of `builder.get_object("name")` (any receiver: whether it is a toolkit's builder is builtObject's question). */
function builderReceiver(value: Node): Node | null {
  const callee = value.type === 'call' ? value.childForFieldName('function') : null;
  return callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'get_object' ? callee.childForFieldName('object') : null;
}

/**
 * `builder.get_object("name")` where the builder is a toolkit object (`Gtk.Builder(…)` in a local, or a
 * field of `self` set to one): an object its UI definition made, owned by the GUI thread like the builder.
 */
function builtObject(value: Node, scope: FunctionScope, model: ModuleModel, known: Map<number, Map<string, ToolkitField>>): ToolkitField | null {
  const builder = builderReceiver(value);
  if (!builder) return null;
  const field = scope.classNode ? fieldOf(builder, scope) : null;
  const from = field ? known.get(scope.classNode!.id)?.get(field) : builder.type === 'identifier' ? toolkitValue(builder, scope, model) : null;
  return from ? { toolkit: from.toolkit, maker: `${snippet(value.childForFieldName('function')!, 40)}(…)`, line: value.startPosition.row + 1 } : null;
}

/**
 * The toolkit a method called on `self` comes from: the class derives from a toolkit class and neither
 * it nor its bases of this module define the method. Null when a base is neither (another module's
 * class may define it).
 */
function inheritedToolkitMethod(cls: ClassInfo, method: string, model: ModuleModel, seen = new Set<number>()): Toolkit | null {
  // Defined here, or a callable the object keeps in a field of that name (`self.load = load`).
  if (seen.has(cls.node.id) || cls.methods.has(method) || new RegExp(String.raw`\.${method}\s*=(?!=)`).test(cls.node.text)) return null;
  seen.add(cls.node.id);
  const bases = cls.node.childForFieldName('superclasses');
  let toolkit: Toolkit | null = null;
  for (const base of bases ? namedChildren(bases) : []) {
    if (base.type === 'keyword_argument') continue;
    if (base.type !== 'identifier' && base.type !== 'attribute') return null;
    if (base.text === 'object') continue;
    const own = toolkitOfBase(base.text, model.imports);
    if (own) {
      toolkit ??= own;
      continue;
    }
    const local = base.type === 'identifier' ? [...model.classes.values()].find((c) => c.name === base.text && c.node.parent?.type === 'module') : undefined;
    if (!local) return null;
    const inherited = inheritedToolkitMethod(local, method, model, seen);
    if (!inherited) return null;
    toolkit ??= inherited;
  }
  return toolkit;
}

/**
 * A toolkit object made on a worker thread: a widget (`Gtk.Label(…)`, `QtWidgets.QLabel(…)`), or an object
 * of a GUI class of the project (`FileNotFoundDialog(…)` deriving from a dialog) — widgets belong to the
 * thread that makes them, and the toolkits require that to be the GUI's.
 */
function reportMadeOnWorker(node: Node, callee: Node, ctx: RuleContext): void {
  const { model } = ctx;
  const own = importedToolkit(model.imports);
  if (!own) return;
  // Only worker-thread code matters: asked first, as most calls are not there.
  const scope = model.scopeOf(node);
  const entry = scope ? model.threads.entryFor(scope) : null;
  if (!scope || !entry || entry.assumed || (entry.external && !entry.handed) || insideLambda(node)) return;
  let made: { toolkit: Toolkit; what: string; verb?: string } | null = null;
  // wx's functions are capitalised like classes; these post to the GUI thread or only read.
  if (THREAD_SAFE_FUNCTIONS.test(callee.text)) return;
  // Qt's item classes (`QListWidgetItem`, `QTreeWidgetItem`, `QTableWidgetItem`) are no QObjects: one
  // made on a worker and handed to the GUI thread before a view holds it is a plain value.
  const toolkit = QT_ITEM_VALUE.test(callee.text) ? null : toolkitObjectMaker(callee.text, model.imports);
  const singleton = !toolkit ? toolkitSingleton(callee.text, model.imports) : null;
  if (toolkit) made = { toolkit, what: `a ${toolkit} object` };
  else if (singleton) made = { toolkit: singleton, what: `the ${singleton} toolkit's process-wide object`, verb: 'gets' };
  else if (callee.type === 'identifier') {
    const local = model.classOfName(callee.text, node);
    const projectClass = !local && !!ctx.options.project?.guiClasses?.has(model.imports.qualifyName(callee.text));
    if ((local?.guiConfined && local.node.parent?.type === 'module') || projectClass) made = { toolkit: own, what: `a ${own} object (\`${callee.text}\` derives from one)` };
  }
  if (!made) return;
  const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
  ctx.report(node, {
    severity: 'error',
    confidence: 'medium',
    message:
      `\`${snippet(node, 50)}\` ${made.verb ?? 'makes'} ${made.what} in \`${scope.name}\`, which runs on a worker thread (${via}). ` +
      `${made.toolkit} objects may only be made and used on the thread that runs the GUI's main loop: from another thread they corrupt the toolkit's state or crash, ` +
      `and on free-threaded Python nothing serialises the two threads any more. Do the work on the thread, then ${HAND_OVER[made.toolkit]}.`,
  });
}

export const FT220: Rule = {
  code: 'FT220',
  name: 'gui-object-from-worker-thread',
  summary: 'a GUI toolkit object (a widget, a GTK store, a Tk or wx widget) used from code a worker thread runs: toolkits are not thread-safe',
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE) && !(ctx.options.project?.guiClasses?.size ?? 0)) return;
      const fn = node.childForFieldName('function');
      if (fn?.type === 'identifier' || fn?.type === 'attribute') reportMadeOnWorker(node, fn, ctx);
      if (fn?.type !== 'attribute') return;
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const receiver = fn.childForFieldName('object');
      if (!receiver || THREAD_SAFE_METHODS.has(method) || insideLambda(node)) return;
      const scope = model.scopeOf(node);
      const owner = scope ? methodSeenFrom(scope) : null;
      if (!scope || !owner?.receiver || !owner.classNode) return;
      // The thread that runs this code: the method's, or a nested function's own (a thread target
      // defined in a GUI handler, using the handler's `self`).
      const entry = model.threads.entryFor(scope);
      // A thread of this module's own, or another module's that is handed the object (reaching code
      // through other modules' call chains alone is weaker evidence).
      if (!entry || entry.assumed || (entry.external && !entry.handed)) return;
      let what: { toolkit: Toolkit; object: string; made: string } | null = null;
      if (receiver.text === owner.receiver) {
        const cls = model.classInfo(owner.classNode);
        const toolkit = cls ? inheritedToolkitMethod(cls, method, model) : null;
        if (cls && toolkit) what = { toolkit, object: `\`${owner.receiver}\``, made: `a ${toolkit} object (\`${cls.name}\` derives from one)` };
      } else {
        const field = fieldOf(receiver.type === 'subscript' ? receiver.childForFieldName('value') : receiver, owner);
        const known = field ? toolkitFields(model).get(owner.classNode.id)?.get(field) : undefined;
        if (known) what = { toolkit: known.toolkit, object: `\`${snippet(receiver, 40)}\``, made: `a ${known.toolkit} object (\`${known.maker}\`, line ${known.line})` };
      }
      if (!what) return;
      const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
      ctx.report(node, {
        severity: 'error',
        confidence: 'medium',
        message:
          `\`${snippet(node, 50)}\` uses ${what.object}, ${what.made}, from \`${scope.name}\`, which runs on a worker thread (${via}). ` +
          `${what.toolkit} objects may only be used on the thread that runs the GUI's main loop: from another thread they corrupt the toolkit's state or crash, ` +
          `and on free-threaded Python nothing serialises the two threads any more. Do the work on the thread, then ${HAND_OVER[what.toolkit]}.`,
      });
    },
  },
};
