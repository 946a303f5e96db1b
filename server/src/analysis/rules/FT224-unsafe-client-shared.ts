// FT224 — a client object its library documents as not thread-safe, kept where several functions reach
// it and used from code on two threads with no lock held across both uses:
//
//     class KeyboardCapture(threading.Thread):
//         def __init__(self):
//             self._display = Display()           # an Xlib connection
//         def run(self):
//             event = self._display.next_event()  # the capture thread
//         def suppress(self, keys):
//             self._display.grab_key(…)           # FT224: the engine's thread, at the same time
//
// One connection carries one request-and-reply exchange at a time (a shelf, one file state): two
// threads interleave their requests and read each other's replies, or corrupt the file.
// Docs: docs/rules/FT224.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { ThreadEntry } from '../model/threads';
import { namedChildren, snippet } from '../model/syntax';
import { superStartsThread } from '../model/ordering';
import { calleeName, isTestCode, textHas } from './hazards';
import { runsAlone } from './common';
import { keptPlace, type KeptPlace } from './keptObjects';

/** Constructors of clients their libraries document as not safe to share between threads → what they make. */
const UNSAFE_CLIENTS: ReadonlyMap<string, string> = new Map([
  ['shelve.open', 'a shelf (`shelve.open`), which does not support concurrent access'],
  ['dbm.open', 'a dbm database (`dbm.open`), which does not support concurrent access'],
  ['dbm.gnu.open', 'a GNU dbm database, which does not support concurrent access'],
  ['dbm.ndbm.open', 'an ndbm database, which does not support concurrent access'],
  ['dbm.dumb.open', 'a dumb dbm database, which does not support concurrent access'],
  ['http.client.HTTPConnection', 'an `http.client.HTTPConnection`, one connection that runs one request and reply at a time'],
  ['http.client.HTTPSConnection', 'an `http.client.HTTPSConnection`, one connection that runs one request and reply at a time'],
  ['xmlrpc.client.ServerProxy', 'an `xmlrpc.client.ServerProxy`, one connection that runs one call at a time'],
  ['ftplib.FTP', 'an `ftplib.FTP` session, one command and reply at a time on one control connection'],
  ['ftplib.FTP_TLS', 'an `ftplib.FTP_TLS` session, one command and reply at a time on one control connection'],
  ['smtplib.SMTP', 'an `smtplib.SMTP` session, one command and reply at a time on one connection'],
  ['smtplib.SMTP_SSL', 'an `smtplib.SMTP_SSL` session, one command and reply at a time on one connection'],
  ['smtplib.LMTP', 'an `smtplib.LMTP` session, one command and reply at a time on one connection'],
  ['imaplib.IMAP4', 'an `imaplib.IMAP4` session, one command and reply at a time on one connection'],
  ['imaplib.IMAP4_SSL', 'an `imaplib.IMAP4_SSL` session, one command and reply at a time on one connection'],
  ['poplib.POP3', 'a `poplib.POP3` session, one command and reply at a time on one connection'],
  ['poplib.POP3_SSL', 'a `poplib.POP3_SSL` session, one command and reply at a time on one connection'],
  ['telnetlib.Telnet', 'a `telnetlib.Telnet` session, one connection read as one stream'],
  ['nntplib.NNTP', 'an `nntplib.NNTP` session, one command and reply at a time on one connection'],
  ['Xlib.display.Display', 'an Xlib `Display`, one X connection that is not thread-safe unless `Xlib.threaded` is imported'],
  ['pycurl.Curl', 'a `pycurl.Curl` handle, which two threads must not use at once'],
]);

const GATE = /shelve|dbm|HTTPS?Connection|ServerProxy|FTP|SMTP|LMTP|IMAP4|POP3|Telnet|NNTP|Display|Curl/;
/** The last names of the constructors: a cheap test before qualifying a call. */
const LAST_NAMES: ReadonlySet<string> = new Set([...UNSAFE_CLIENTS.keys()].map((q) => q.slice(q.lastIndexOf('.') + 1)));

/** A client kept in a field of `self` or a module global. */
interface KeptClient extends KeptPlace {
  made: Node;
  what: string;
}

interface Use {
  node: Node;
  scope: FunctionScope;
  held: readonly string[];
  /** The thread that really reaches the use (null: the caller's, or only assumed under assume-concurrent). */
  entry: ThreadEntry | null;
  assumed: boolean;
}

function keptClients(model: ModuleModel): Map<string, KeptClient> {
  const kept = new Map<string, KeptClient>();
  const threadedXlib = /^\s*import\s+Xlib\.threaded\b/m.test(model.text);
  for (const { node } of model.index.all('assignment')) {
    const right = node.childForFieldName('right');
    const left = node.childForFieldName('left');
    if (right?.type !== 'call' || !left) continue;
    const callee = right.childForFieldName('function');
    const last = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    if (!last || !LAST_NAMES.has(last)) continue;
    const qualified = calleeName(right, model) ?? '';
    const what = UNSAFE_CLIENTS.get(qualified);
    if (!what || (qualified === 'Xlib.display.Display' && threadedXlib)) continue;
    const scope = model.scopeOf(node);
    const target = keptPlace(left, scope, model);
    if (target && !kept.has(target.key)) kept.set(target.key, { ...target, made: node, what });
  }
  return kept;
}

/** Every read of the client in a function (a call on it, an item of it, a test of it), with its context. */
function usesOf(client: KeptClient, model: ModuleModel): Use[] {
  const uses: Use[] = [];
  const type = client.owner ? 'attribute' : 'identifier';
  // Attributes and names are not indexed: walk the functions that mention the client, once each.
  const seen = new Set<number>();
  const candidates: Node[] = [];
  for (const fn of model.allScopes()) {
    if (fn.parent || !fn.node.text.includes(client.name)) continue;
    for (const node of fn.node.descendantsOfType(type)) {
      if (!node || seen.has(node.id)) continue;
      seen.add(node.id);
      if (client.owner ? node.childForFieldName('attribute')?.text === client.name : node.text === client.name) candidates.push(node);
    }
  }
  for (const node of candidates) {
    const scope = model.scopeOf(node);
    if (!scope || isTestCode(scope) || model.isConstructionOnly(scope) || model.isDeadCode(node)) continue;
    if (client.owner) {
      const object = node.childForFieldName('object');
      if (!scope.receiver || object?.text !== scope.receiver || !scope.classNode || !model.relatedClasses(client.owner, scope.classNode)) continue;
    } else if (!/^(?:global|module)$/.test(model.resolve(node.text, scope).kind)) continue;
    // Only what talks to the client: a method or field of it, an item of it, a membership test or a
    // loop over it, or handing it to a call. A store replaces it; `is None`, a truth test or a `return`
    // send nothing on it.
    if (!talksTo(node)) continue;
    // Code that runs before the threads or alone (after fork, at exit, before its own or its callers' start()).
    if (runsAlone(node, scope, { model }) || beforeOwnStart(node, scope, model)) continue;
    const entry = model.threads.entryFor(scope);
    uses.push({ node, scope, held: model.heldLocks(node), entry: entry && !entry.assumed ? entry : null, assumed: !!entry?.assumed });
  }
  return uses;
}

/**
 * In a thread class's `start()` before its `super().start()`, or in a helper every caller of which calls
 * it there: the object's own thread is not running yet (upstream's own reading of such a helper).
 */
function beforeOwnStart(node: Node, scope: FunctionScope, model: ModuleModel): boolean {
  const startsAfter = (at: Node, fn: FunctionScope) => fn.name === 'start' && model.callsIn(fn.node).some((c) => c.startIndex > at.endIndex && superStartsThread(c));
  if (startsAfter(node, scope)) return true;
  const callers = scope.receiver ? model.callersOf(scope.node) : [];
  return callers.length > 0 && callers.every((call) => {
    const caller = model.scopeOf(call);
    return !!caller && caller.node.id !== scope.node.id && startsAfter(call, caller);
  });
}

function talksTo(node: Node): boolean {
  const up = node.parent;
  if (!up) return false;
  if (up.type === 'attribute') return up.childForFieldName('object')?.id === node.id;
  if (up.type === 'subscript') return up.childForFieldName('value')?.id === node.id;
  if (up.type === 'argument_list') return true;
  if (up.type === 'for_statement' || up.type === 'for_in_clause') return up.childForFieldName('right')?.id === node.id;
  if (up.type === 'comparison_operator') return /\bin\b/.test(up.text.slice(0, node.startIndex - up.startIndex)) && namedChildren(up)[0]?.id !== node.id;
  return false;
}

/** Can the two uses run at the same time on two threads, with no lock common to both? */
function concurrent(a: Use, b: Use, model: ModuleModel): boolean {
  if (a.scope.node.id === b.scope.node.id) return false;
  if (a.held.some((lock) => b.held.includes(lock))) return false;
  // One dedicated thread runs both (its target and the helpers only it calls).
  const threadA = model.dedicatedThreadOf(a.scope);
  if (threadA && threadA === model.dedicatedThreadOf(b.scope)) return false;
  if (a.entry || b.entry) return !(a.entry && b.entry && a.entry.site.id === b.entry.site.id && threadA);
  // Neither reached by a thread of the module: only assume-concurrent says they may overlap.
  return a.assumed && b.assumed;
}

export const FT224: Rule = {
  code: 'FT224',
  name: 'unsafe-client-shared',
  summary: 'a client its library documents as not thread-safe (a shelf, an http.client or xmlrpc connection, an FTP/SMTP/IMAP session, an Xlib Display) used from two threads without a lock across both uses',
  precision: 'medium',
  visit: {
    module(_root: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (ctx.options.testModule || !textHas(model, ctx.text, GATE)) return;
      for (const client of keptClients(model).values()) {
        const uses = usesOf(client, model);
        // One report per client: the first use that another use can overlap, a thread's first.
        const ordered = [...uses].sort((a, b) => Number(!!b.entry) - Number(!!a.entry) || a.node.startIndex - b.node.startIndex);
        for (const use of ordered) {
          const other = uses.find((o) => concurrent(use, o, model));
          if (!other) continue;
          report(use, other, client, ctx);
          break;
        }
      }
    },
  },
};

function report(use: Use, other: Use, client: KeptClient, ctx: RuleContext): void {
  const side = (u: Use) =>
    u.entry ? `\`${u.scope.name}\` runs on threads (${u.entry.site === u.scope.node ? u.entry.via : `${u.entry.via}, line ${u.entry.site.startPosition.row + 1}`})` : u.assumed ? `\`${u.scope.name}\` may run on any thread (assume-concurrent)` : `\`${u.scope.name}\` runs on its callers' threads`;
  const locks = use.held.length > 0 || other.held.length > 0 ? ' (the locks held at the two uses differ)' : '';
  ctx.report(use.node, {
    severity: use.entry || other.entry ? 'warning' : 'info',
    confidence: use.entry || other.entry ? 'medium' : 'low',
    message:
      `\`${snippet(use.node.parent ?? use.node, 50)}\` uses \`${snippet(use.node, 30)}\`, ${client.what} (made at line ${client.made.startPosition.row + 1}), and so does line ${other.node.startPosition.row + 1} (\`${snippet(other.node.parent ?? other.node, 40)}\`) with no lock held across both${locks}: ` +
      `${side(use)}; ${side(other)}. Two threads using it at once interleave their requests and read each other's replies (or corrupt the file). ` +
      `Hold one lock around every use of it, or give each thread its own (a \`threading.local\`, or one made in the thread).`,
  });
}
