// Class-creation hooks: methods a metaclass calls on the class it builds (`cls.__classinit__(cls, attrs)`
// in `DeclarativeMeta.__new__`). They run when a class statement runs — at import, for a module's
// classes — so what they change is set up before any thread of the program exists. Read from the text,
// so that a module the text gate never parses (a metaclass names no thread) still contributes its hooks.

const TOP_CLASS = /^class[ \t]+(\w+)[ \t]*\(([^)]*)\)[ \t]*:/;
const METACLASS_BASE = /^(?:type|(?:abc\.)?ABCMeta)$/;

/** The hooks this module's top-level metaclasses call in `__new__` and `__init__`. */
export function metaclassHooksFromText(text: string): string[] {
  if (!text.includes('__new__') && !text.includes('__init__')) return [];
  const lines = text.split('\n');
  const metaclasses = new Set<string>();
  const hooks = new Set<string>();
  let inMetaclass = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const top = TOP_CLASS.exec(line);
    if (top) {
      const bases = top[2].split(',').map((b) => b.trim());
      inMetaclass = bases.some((b) => METACLASS_BASE.test(b) || metaclasses.has(b));
      if (inMetaclass) metaclasses.add(top[1]);
      continue;
    }
    if (/^\S/.test(line)) inMetaclass = false;
    const def = inMetaclass ? /^([ \t]+)def[ \t]+(__new__|__init__)[ \t]*\(\s*\w+\s*,\s*(\w+)?/.exec(line) : null;
    if (!def) continue;
    const indent = def[1].length;
    let end = i + 1;
    while (end < lines.length && (lines[end].trim() === '' || lines[end].search(/\S/) > indent)) end++;
    const body = lines.slice(i + 1, end).join('\n');
    const built = def[2] === '__init__' ? def[3] : /(?<![\w.])(\w+)\s*=\s*(?:type|super\([^)]*\))\.__new__\(/.exec(body)?.[1];
    if (!built) continue;
    for (const m of body.matchAll(new RegExp(`(?<![\\w.])${built}\\.(\\w+)\\(`, 'g'))) {
      if (m[1] !== 'mro' && !/^__(?:init|new|call|init_subclass|setattr__|getattribute)__$/.test(m[1])) hooks.add(m[1]);
    }
  }
  return [...hooks];
}
