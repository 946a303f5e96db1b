// Duck typing against a guess. A call on an object whose type the model does not track
// (`instance = window.get_current_instance()` … `Thread(target=instance.pull_model)`) resolves to the
// one class of the module with a method of that name; the code's other uses of the same object can
// say it is another module's object — a data attribute it reads that no class of the module has and no
// code of the module assigns (`instance.instance_type`, where the module's only `pull_model` is a
// dialog's). Not "an attribute that class lacks": a loop over a list of several classes' objects
// (`item.dispose`, `item.close`) names each class's methods on one variable.
import type { Node } from '../parser';
import { namedChildren } from './syntax';

/** What the duck-typing check needs of a class and its bases in the module. */
export interface ClassShape {
  node: Node;
  methods: ReadonlyMap<string, unknown>;
}

/**
 * Every attribute name a class may have — its methods, its class-level names, whatever its methods
 * assign through any receiver (`self.x = …`): over-counting only weakens the check — or null when it
 * cannot be known (an attribute made by name: `setattr`, `__getattr__`, `__dict__`, `__slots__`).
 */
export function classAttributes(cls: ClassShape): Set<string> | null {
  const text = cls.node.text;
  if (/\bsetattr\s*\(|__getattr(?:ibute)?__|__dict__|__slots__/.test(text)) return null;
  const names = new Set<string>(cls.methods.keys());
  for (const m of text.matchAll(/\.(\w+)\s*(?::[^=\n]*)?=(?!=)/g)) names.add(m[1]);
  for (const m of text.matchAll(/^[ \t]+(\w+)\s*(?::[^=\n]*)?=(?!=)/gm)) names.add(m[1]);
  return names;
}

/**
 * Could the classes have attributes from elsewhere: a base outside the module other than `object`,
 * ABCs and the GUI toolkits' widgets (which expose methods, not plain data attributes)?
 */
export function hasOpaqueBase(family: readonly ClassShape[], isOpaqueBase: (base: Node) => boolean): boolean {
  return family.some((cls) => {
    const bases = cls.node.childForFieldName('superclasses');
    return (bases ? namedChildren(bases) : []).some(isOpaqueBase);
  });
}

/**
 * The attributes read as data (not called, not assigned) on each name in a function (`job.kind`, not
 * `job.run()` nor `job.kind = …`): name → attributes. Private and dunder names are left out: the
 * runtime's or the class's own business, no evidence of another type.
 */
export function dataAttributesReadIn(fn: Node): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const node of fn.descendantsOfType('attribute')) {
    const object = node.childForFieldName('object');
    if (object?.type !== 'identifier') continue;
    const parent = node.parent;
    if (parent?.type === 'call' && parent.childForFieldName('function') === node) continue;
    if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left') === node) continue;
    const attribute = node.childForFieldName('attribute')?.text;
    if (!attribute || attribute.startsWith('_')) continue;
    let names = out.get(object.text);
    if (!names) out.set(object.text, (names = new Set()));
    names.add(attribute);
  }
  return out;
}
