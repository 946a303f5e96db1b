// FT115 — a request and its reply on a shared connection, with no lock held from one to the other:
//
//     def _command(self, cmd):
//         self.sock.sendall(cmd)          # thread A sends its request, thread B sends its own
//         return self.sock.recv(16)       # FT115: A can read B's reply, and B A's
//
// A socket, serial port or pipe carries one byte stream. Two threads that each send a request and read
// the reply interleave on it unless one lock covers the whole exchange: requests mix, replies go to the
// wrong caller. Docs: docs/rules/FT115.md
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { Confidence, Rule, RuleContext, Severity } from '../types';
import { namedChildren, positionalArguments, snippet } from '../model/syntax';
import { isTestCode, textHas } from './hazards';
import { raceVerdict, runsAlone } from './common';
import { receiverField } from '../model/sharing';

const GATE = /\.(?:recv\w*|read\w*|expect)\(/;

/** Methods that send on a stream, and that read from one (also FT210's operation locks). */
export const SENDS: ReadonlySet<string> = new Set(['send', 'sendall', 'sendto', 'sendmsg', 'write', 'writelines']);
export const RECEIVES: ReadonlySet<string> = new Set(['recv', 'recv_into', 'recvfrom', 'recvfrom_into', 'recvmsg', 'read', 'readline', 'readlines', 'read_until', 'read_all', 'read_some', 'read_very_eager', 'read_eager', 'readinto', 'expect']);

/** What a field holds when it is a buffer in memory or a file, not a connection to a peer. */
const NOT_A_PEER = /^(?:io\.)?(?:BytesIO|StringIO)\(|^(?:io\.)?open\(|^(?:tempfile\.)\w+\(|^bytearray\(|^(?:gzip|bz2|lzma|zipfile|tarfile)\.open\(/;

interface IoEvent {
  kind: 'send' | 'recv';
  /** The stream, spelled from the function's view: `self.sock`, `self.sl.s`, a parameter `sock`. */
  key: string;
  /** Where in the function it happens: the I/O call itself, or the call of the helper that does it. */
  anchor: Node;
  /** The I/O call (inside a helper for a helper's events). */
  io: Node;
  /** Locks the helper itself holds around the I/O (none for the function's own calls). */
  inner: readonly string[];
}

/** `self.sock.recv(…)` → ['recv', 'self.sock']; a pipe of a process counts as the process (`self.proc.stdin` → `self.proc`). */
function ioCall(call: Node): { kind: 'send' | 'recv'; stream: string } | null {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute') return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const kind = SENDS.has(method) ? 'send' : RECEIVES.has(method) ? 'recv' : null;
  const object = callee.childForFieldName('object');
  if (!kind || !object || (object.type !== 'attribute' && object.type !== 'identifier')) return null;
  let stream = object.text.replace(/\s+/g, '');
  const pipe = /^(.+\.\w+)\.(?:stdin|stdout|stderr)$/.exec(stream);
  if (pipe) stream = pipe[1];
  return { kind, stream };
}

/** The root name of a dotted stream (`self` of `self.sl.s`). */
const rootOf = (stream: string) => stream.split('.')[0];

/** The function's own I/O on its receiver's fields or its parameters. */
function ownEvents(fn: Node, model: ModuleModel): IoEvent[] {
  const scope = model.scopeOf(fn.childForFieldName('body') ?? fn);
  if (!scope || scope.isAsync) return [];
  const out: IoEvent[] = [];
  for (const call of model.callsIn(fn)) {
    const io = ioCall(call);
    if (!io) continue;
    const root = rootOf(io.stream);
    const onReceiver = root === scope.receiver && io.stream.includes('.');
    if (!onReceiver && !scope.parameters.has(root)) continue;
    out.push({ kind: io.kind, key: io.stream, anchor: call, io: call, inner: model.locallyHeldLocks(call) });
  }
  return out;
}

/** Parameter names in order, `self` left out for methods. */
function parameterList(fn: Node, scope: FunctionScope): string[] {
  const params = fn.childForFieldName('parameters');
  const names = (params ? namedChildren(params) : []).map((p) => (p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? namedChildren(p)[0])?.text ?? ''));
  return scope.receiver && names[0] === scope.receiver ? names.slice(1) : names;
}

/**
 * The function's I/O in source order: its own, and that of the helpers it calls one level down, seen
 * from here — a receiver method's `self.conn` as this function's receiver's, a helper's parameter as
 * the argument passed (`_command(self.sock, …)` sends and reads `self.sock`).
 */
function eventsOf(fn: Node, scope: FunctionScope, model: ModuleModel, own: (fn: Node) => IoEvent[], doingIo: ReadonlySet<string>): IoEvent[] {
  const out: IoEvent[] = [...own(fn)];
  for (const call of model.callsIn(fn)) {
    if (ioCall(call)) continue;
    const callee = call.childForFieldName('function');
    // Resolving a call is dear: only names of functions that do I/O themselves are worth it.
    const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    if (!callee || !name || !doingIo.has(name)) continue;
    for (const helper of model.functionsFor(callee, call)) {
      if (helper === fn) continue;
      // What the helper does every time it runs: I/O under one of its own branches (a reply to an
      // option the peer sent, a forward of data that arrived) is not a request of the caller's.
      const inner = own(helper).filter((e) => !conditional(e.io, helper));
      if (inner.length === 0) continue;
      const helperScope = model.scopeOf(helper.childForFieldName('body') ?? helper);
      if (!helperScope) continue;
      const onReceiver = callee.type === 'attribute' && callee.childForFieldName('object')?.text === scope.receiver && !!helperScope.receiver;
      const params = parameterList(helper, helperScope);
      const args = positionalArguments(call);
      for (const e of inner) {
        const root = rootOf(e.key);
        const rest = e.key.slice(root.length);
        let key: string | null = null;
        if (onReceiver && root === helperScope.receiver) key = `${scope.receiver}${rest}`;
        else {
          const index = params.indexOf(root);
          const arg = index >= 0 ? args[index] : undefined;
          if (arg && (arg.type === 'attribute' || arg.type === 'identifier')) key = `${arg.text.replace(/\s+/g, '')}${rest}`;
        }
        if (key) out.push({ kind: e.kind, key, anchor: call, io: e.io, inner: e.inner });
      }
      break;
    }
  }
  return out.sort((a, b) => a.anchor.startIndex - b.anchor.startIndex || a.io.startIndex - b.io.startIndex);
}

/** Is `node` under a branch or handler of `fn` (not run on every call; a loop reading to a terminator is)? */
function conditional(node: Node, fn: Node): boolean {
  for (let n = node.parent; n && n.id !== fn.id; n = n.parent) {
    if (n.type === 'if_statement' || n.type === 'elif_clause' || n.type === 'else_clause' || n.type === 'except_clause' || n.type === 'conditional_expression') return true;
  }
  return false;
}

/** Are `a` and `b` in two branches of one `if` (or a `try` body and its handler): never both in one pass? */
function exclusive(a: Node, b: Node): boolean {
  const up = (n: Node) => {
    const out: Node[] = [];
    for (let p: Node | null = n; p; p = p.parent) out.push(p);
    return out;
  };
  const ofA = up(a);
  const ofB = new Set(up(b).map((n) => n.id));
  const common = ofA.find((n) => ofB.has(n.id));
  if (!common || (common.type !== 'if_statement' && common.type !== 'try_statement')) return false;
  const branchOf = (n: Node) => up(n).find((p) => p.parent?.id === common.id);
  const ba = branchOf(a);
  const bb = branchOf(b);
  return !!ba && !!bb && ba.id !== bb.id && ba.type !== 'comparison_operator' && bb.type !== 'comparison_operator' && ba.id !== common.childForFieldName('condition')?.id && bb.id !== common.childForFieldName('condition')?.id;
}

/** The `with` statements around `node` within its function (innermost first). */
function withsAround(node: Node, fn: Node): Node[] {
  const out: Node[] = [];
  for (let n = node.parent; n && n.id !== fn.id; n = n.parent) if (n.type === 'with_statement') out.push(n);
  return out;
}

/** `with self._lock:`, `with sl.l:` — an object entered as it is, no call and no `as`: a lock or condition. */
function entersBareObject(w: Node): boolean {
  const clause = namedChildren(w).find((c) => c.type === 'with_clause');
  const items = clause ? namedChildren(clause) : [];
  return items.length > 0 && items.every((item) => {
    const value = item.childForFieldName('value') ?? namedChildren(item)[0];
    return !!value && (value.type === 'attribute' || value.type === 'identifier');
  });
}

/** Is one lock held from `send` to `recv`? Within one helper call, a lock it holds around both counts too. */
function covered(send: IoEvent, recv: IoEvent, fn: Node, model: ModuleModel): boolean {
  if (send.anchor === recv.anchor && send.anchor !== send.io) {
    if (send.inner.some((l) => recv.inner.includes(l))) return true;
    // `with sl.l:` around both in the helper: a bare object entered as a context is a lock here
    // (whatever the model can tell of it — a field of a parameter, say).
    const helper = model.scopeOf(send.io)?.node;
    if (helper && withsAround(send.io, helper).some((w) => withsAround(recv.io, helper).includes(w) && entersBareObject(w))) return true;
  }
  if (withsAround(send.anchor, fn).some((w) => withsAround(recv.anchor, fn).includes(w) && entersBareObject(w))) return true;
  // A helper that takes the lock and leaves it held (`_command(self.sl, …, False)`), released here after
  // the reply is read: a release this function makes of a lock it never took spans the exchange.
  const body = fn.text;
  const after = body.slice(recv.anchor.endIndex - fn.startIndex);
  const before = body.slice(0, send.anchor.startIndex - fn.startIndex);
  for (const m of after.matchAll(/([\w.]+)\s*\.\s*release\(/g)) {
    const lock = m[1];
    if (lock.split('.')[0] !== rootOf(send.key)) continue;
    if (!before.includes(`${lock}.acquire(`) && !new RegExp(`with\\s+${lock.replace(/\./g, '\\.')}\\s*:`).test(before)) return true;
  }
  const atSend = model.heldLocks(send.anchor);
  const atRecv = new Set(model.heldLocks(recv.anchor));
  for (const lock of atSend) {
    if (!atRecv.has(lock)) continue;
    // Held there by this function: the same `with` block must span both (two blocks release between).
    const local = model.locallyHeldLocks(send.anchor).includes(lock);
    if (!local) return true;
    const shared = withsAround(send.anchor, fn).filter((w) => withsAround(recv.anchor, fn).includes(w));
    if (shared.some((w) => w.text.slice(0, w.text.indexOf(':')).includes(lock))) return true;
    const between = fn.text.slice(send.anchor.endIndex - fn.startIndex, recv.anchor.startIndex - fn.startIndex);
    if (!withsAround(send.anchor, fn).length && !withsAround(recv.anchor, fn).length && !between.includes(`${lock}.release(`)) return true;
  }
  return false;
}

/** Is the receiver's field a buffer or a file the class makes itself, not a connection? */
function holdsNoPeer(cls: ClassInfo, field: string, model: ModuleModel): boolean {
  for (const method of cls.methods.values()) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!scope?.receiver) continue;
    for (const a of model.assignmentsOf(scope)) {
      if (a.childForFieldName('left')?.text === `${scope.receiver}.${field}` && NOT_A_PEER.test(a.childForFieldName('right')?.text ?? '')) return true;
    }
  }
  return false;
}

interface Exchange {
  fn: Node;
  scope: FunctionScope;
  send: IoEvent;
  recv: IoEvent;
}

export const FT115: Rule = {
  code: 'FT115',
  name: 'exchange-without-lock',
  summary: 'A request sent and its reply read on a shared connection with no lock held from one to the other: two threads get each other\'s replies',
  precision: 'medium',
  visit: {
    module(_node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      const ownCache = new Map<number, IoEvent[]>();
      const own = (fn: Node) => {
        let events = ownCache.get(fn.id);
        if (!events) ownCache.set(fn.id, (events = ownEvents(fn, model)));
        return events;
      };
      // Every function's I/O on receiver fields, by class and field: where the class locks a stream.
      const exchanges: Exchange[] = [];
      const lockedIo = new Map<string, { lock: string; at: Node }>();
      /** Functions doing I/O on each receiver stream (class.field path). */
      const ioUsers = new Map<string, Set<FunctionScope>>();
      const doingIo = new Set<string>();
      for (const scope of model.allScopes()) if (scope.node.type === 'function_definition' && own(scope.node).length > 0) doingIo.add(scope.name);
      if (doingIo.size === 0) return;
      for (const scope of model.allScopes()) {
        const fn = scope.node;
        if (fn.type !== 'function_definition' || scope.isAsync || isTestCode(scope)) continue;
        const events = eventsOf(fn, scope, model, own, doingIo);
        if (events.length === 0) continue;
        const cls = scope.receiver ? model.classInfo(scope.classNode) : null;
        for (const e of events) {
          if (!cls || rootOf(e.key) !== scope.receiver) continue;
          const lock = model.heldLocks(e.anchor)[0] ?? e.inner[0];
          const where = `${cls.name}.${e.key.slice(scope.receiver!.length + 1)}`;
          if (lock && !lockedIo.has(where)) lockedIo.set(where, { lock, at: e.io });
          let users = ioUsers.get(where);
          if (!users) ioUsers.set(where, (users = new Set()));
          users.add(scope);
        }
        for (let i = 0; i < events.length; i++) {
          const recv = events[i];
          if (recv.kind !== 'recv') continue;
          const send = events.slice(0, i).reverse().find((e) => e.kind === 'send' && e.key === recv.key && !exclusive(e.anchor, recv.anchor));
          if (!send || covered(send, recv, fn, model)) continue;
          exchanges.push({ fn, scope, send, recv });
          break;
        }
      }
      const reported = new Set<string>();
      const reportedIo = new Set<number>();
      for (const { fn, scope, send, recv } of exchanges) {
        const cls = scope.receiver ? model.classInfo(scope.classNode) : null;
        if (!cls || rootOf(send.key) !== scope.receiver) continue;
        const field = send.key.split('.')[1];
        const where = `${cls.name}.${send.key.slice(scope.receiver!.length + 1)}`;
        const sameHelper = send.anchor === recv.anchor && send.anchor !== send.io;
        if ((sameHelper ? reportedIo.has(recv.io.id) : reported.has(where)) || holdsNoPeer(cls, field, model) || model.isConstructionOnly(scope) || runsAlone(recv.anchor, scope, ctx)) continue;
        // One thread of the object's own does all its I/O on the stream: a pump or a reader, not two callers.
        const thread = model.dedicatedThreadOf(scope);
        if (thread && [...(ioUsers.get(where) ?? [])].every((s) => model.dedicatedThreadOf(s) === thread)) continue;
        const locked = lockedIo.get(where);
        let confidence: Confidence;
        let why: string;
        let severity: Severity = 'warning';
        if (locked) {
          confidence = 'high';
          why = `other I/O on \`${send.key}\` holds \`${locked.lock}\` (line ${locked.at.startPosition.row + 1}), so the connection is meant to be shared`;
        } else {
          // A connection documented as one thread's at a time: its callers serialise their exchanges.
          if (model.documentsConfinement(cls)) continue;
          const shared = receiverField(field, scope, model);
          const unlockedAt = model.heldLocks(recv.anchor).length === 0 ? recv.anchor : model.heldLocks(send.anchor).length === 0 ? send.anchor : null;
          const verdict = shared && unlockedAt ? raceVerdict(unlockedAt, scope, shared, ctx) : null;
          if (!shared || !verdict) continue;
          confidence = verdict.confidence;
          severity = verdict.severity;
          why = `the connection is ${shared.description}${verdict.where ? `;${verdict.where.replace(/\.$/, '')}` : ''}`;
        }
        const fix = 'Two threads exchanging at once interleave on the one stream: each can read the other\'s reply. Hold one lock from the send to the last read of the reply.';
        if (sameHelper) {
          // The whole exchange is a helper's, on what the caller hands it: reported in the helper, once.
          reportedIo.add(recv.io.id);
          const helper = model.scopeOf(recv.io)?.name ?? 'the helper';
          ctx.report(recv.io, {
            severity,
            confidence,
            message:
              `\`${helper}\` sends a request with \`${snippet(send.io, 50)}\` (line ${send.io.startPosition.row + 1}) and reads the reply with \`${snippet(recv.io, 40)}\` with no lock held from one to the other, ` +
              `and \`${scope.name}\` hands it \`${send.key}\` (line ${send.anchor.startPosition.row + 1}), where ${why}. ${fix}`,
          });
          continue;
        }
        reported.add(where);
        if (reportedIo.has(recv.anchor.id)) continue;
        reportedIo.add(recv.anchor.id);
        const sent = send.anchor === send.io ? `\`${snippet(send.io, 50)}\`` : `\`${snippet(send.anchor, 50)}\` (it sends with \`${snippet(send.io, 40)}\`)`;
        const read = recv.anchor === recv.io ? `\`${snippet(recv.io, 50)}\`` : `\`${snippet(recv.anchor, 50)}\` (it reads with \`${snippet(recv.io, 40)}\`)`;
        ctx.report(recv.anchor, {
          severity,
          confidence,
          message: `\`${scope.name}\` sends a request with ${sent} (line ${send.anchor.startPosition.row + 1}) and reads the reply with ${read} with no lock held from one to the other, and ${why}. ${fix}`,
        });
      }
    },
  },
};
