// Methods of the built-in containers and strings: a call of one of these names on an object of unknown
// type is far more often a list's, dict's or string's than a method of a class of the run.

/** Methods of list, dict, set, str and bytes. */
export const BUILTIN_METHODS: ReadonlySet<string> = new Set([
  'index', 'count', 'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'copy', 'sort', 'reverse', 'get', 'keys', 'values', 'items',
  'update', 'setdefault', 'popitem', 'add', 'discard', 'union', 'intersection', 'difference', 'join', 'split', 'rsplit', 'strip', 'lstrip',
  'rstrip', 'format', 'replace', 'startswith', 'endswith', 'encode', 'decode', 'lower', 'upper', 'find', 'rfind', 'splitlines',
]);
