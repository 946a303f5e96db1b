// Request handlers of web frameworks whose servers run them on a pool of threads, many at once: a
// CherryPy handler (`@cherrypy.expose`, `index.exposed = True`, or a class whose `exposed = True`
// exposes every public method) — CherryPy's server serves each request on a worker thread of its pool
// — and a Flask view (`@app.route(…)`, `@bp.get(…)` on a `Flask(…)` or `Blueprint(…)` of the module),
// which a threaded WSGI server (Flask's own since 1.0, waitress, gunicorn's gthread workers) runs on
// several threads. A coroutine view runs on an event loop instead, and is left out.
import type { Node } from '../parser';
import type { ImportTable } from './imports';
import { namedChildren } from './syntax';

/** Modules whose import makes a module worth looking at for handlers (a cheap gate). */
export const WEB_FRAMEWORKS = /^(?:cherrypy|flask)(?:\.|$)/;

const FLASK_ROUTES = new Set(['route', 'get', 'post', 'put', 'delete', 'patch']);

export interface WebHandler {
  via: string;
  /** Where it is declared a handler: the decorator, or the `exposed = True` assignment. */
  site: Node;
}

/** The way `fn` is a request handler a server runs on its threads, or null. */
export function webHandler(fn: Node, imports: ImportTable): WebHandler | null {
  if (fn.type !== 'function_definition' || isAsync(fn)) return null;
  const name = fn.childForFieldName('name')?.text ?? '';
  for (const d of decoratorsOf(fn)) {
    let expr: Node | null = namedChildren(d)[0] ?? null;
    if (expr?.type === 'call') expr = expr.childForFieldName('function');
    if (!expr || (expr.type !== 'identifier' && expr.type !== 'attribute')) continue;
    const qualified = imports.qualify(expr) ?? '';
    if (qualified === 'cherrypy.expose') return { via: `@${expr.text}, a CherryPy request handler the server runs on its worker threads`, site: d };
    const route = expr.type === 'attribute' ? expr.childForFieldName('attribute')?.text ?? '' : '';
    const app = expr.type === 'attribute' ? expr.childForFieldName('object') : null;
    if (FLASK_ROUTES.has(route) && app?.type === 'identifier' && namedChildren(d)[0]?.type === 'call' && flaskApp(app.text, fn, imports)) {
      return { via: `@${expr.text}(…), a Flask view a threaded WSGI server runs on several threads at once`, site: d };
    }
  }
  // `index.exposed = True` after the method, or `exposed = True` for the whole class.
  const body = fn.parent?.type === 'decorated_definition' ? fn.parent.parent : fn.parent;
  if (body?.type !== 'block' || body.parent?.type !== 'class_definition' || !imports.importsMatching(/^cherrypy(?:\.|$)/)) return null;
  for (const statement of namedChildren(body)) {
    const assignment = statement.type === 'expression_statement' ? namedChildren(statement)[0] : null;
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.text !== 'True') continue;
    const left = assignment.childForFieldName('left')?.text;
    if (left === `${name}.exposed`) return { via: `${left} = True, a CherryPy request handler the server runs on its worker threads`, site: assignment };
    if (left === 'exposed' && !name.startsWith('_')) return { via: `its class's \`exposed = True\`, a CherryPy request handler the server runs on its worker threads`, site: assignment };
  }
  return null;
}

function isAsync(fn: Node): boolean {
  return fn.children.some((c) => c?.type === 'async');
}

function decoratorsOf(fn: Node): Node[] {
  return fn.parent?.type === 'decorated_definition' ? namedChildren(fn.parent).filter((d) => d.type === 'decorator') : [];
}

/** Is `name` bound at module level to `Flask(…)` or `Blueprint(…)` from flask? */
function flaskApp(name: string, at: Node, imports: ImportTable): boolean {
  if (!imports.importsMatching(/^flask(?:\.|$)/)) return false;
  let root = at;
  while (root.parent) root = root.parent;
  const match = new RegExp(`^${name}\\s*(?::[^=\\n]*)?=\\s*([\\w.]+)\\(`, 'm').exec(root.text);
  if (!match) return false;
  const maker = imports.qualifyName(match[1]);
  return maker === 'flask.Flask' || maker === 'flask.Blueprint';
}
