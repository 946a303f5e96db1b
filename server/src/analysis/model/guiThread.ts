// Objects of GUI toolkits belong to one thread. Qt's widgets may only be used from the GUI thread and every
// other QObject from the thread it lives in; GTK, Tk, wx and Kivy widgets from the thread that runs the
// main loop. A class deriving from one of them is confined by the toolkit's contract: its methods run on
// that thread (slots, event handlers, callbacks), so only a real thread entry puts one of them beside
// another. The toolkits' own thread classes are the exception: a `QThread` subclass's `run` and a
// `QRunnable`'s `run` are thread entries.
import type { ImportTable } from './imports';

/**
 * Packages whose classes are GUI objects (Qt bindings, GTK through GObject introspection or pygtk and its
 * tray indicators, Tk, wx, Kivy, macOS's AppKit through PyObjC).
 */
const GUI_PACKAGE = /^(?:PyQt[456]|PySide[26]?|qtpy|Qt|gi\.repository\.(?:Gtk|Gdk|Adw|Handy|GtkSource|WebKit2?|Vte|AppIndicator3|AyatanaAppIndicator3)|gtk|tkinter|Tkinter|ttk|tkinter\.ttk|customtkinter|wx|kivy|AppKit)(?:\.|$)/;
const QT_PACKAGE = /^(?:PyQt[456]|PySide[26]?|qtpy|Qt)(?:\.|$)/;
/** Qt classes whose `run` runs on another thread. */
const QT_THREAD_CLASS = /^(?:QThread|QRunnable)$/;
/** Qt classes that are no GUI object at all (thread machinery, plain values). */
const QT_NOT_CONFINED = /^(?:QThreadPool|QMutex\w*|QReadWriteLock|QSemaphore\w*|QWaitCondition|QThreadStorage|QRunnable|QThread)$/;

export type GuiBaseKind = 'confined' | 'thread' | null;

/**
 * GDK's immutable values, documented as usable from any thread (a texture cannot change once made: a
 * worker decoding an image into one and handing it to the main loop is GTK 4's own pattern).
 */
const GDK_VALUES = /^gi\.repository\.Gdk\.(?:Texture|MemoryTexture|RGBA|Rectangle|ContentFormats)$/;

/** Is a qualified name a GUI toolkit's (`PyQt6.QtCore`, `gi.repository.Gtk`)? */
export function isToolkitName(qualified: string): boolean {
  return GUI_PACKAGE.test(qualified);
}

/** The GUI toolkit the module imports, if any (the first one found). */
export function importedToolkit(imports: ImportTable): Toolkit | null {
  for (const q of [...imports.qualifiedNames(), ...imports.starModules]) if (GUI_PACKAGE.test(q)) return toolkitOf(q);
  return null;
}

/** Does the module import a GUI toolkit (its widgets, not only its thread classes)? */
export function importsGuiToolkit(imports: ImportTable): boolean {
  return imports.importsMatching(GUI_PACKAGE) || imports.starModules.some((m) => GUI_PACKAGE.test(m));
}

/**
 * What a base class written in this module is: a toolkit object confined to its thread, a toolkit thread
 * class (`QThread`, `QRunnable`), or neither. `base` is the written dotted name (`QtWidgets.QDialog`,
 * `Gtk.Window`, `tk.Frame`, `QWidget` from a star import).
 */
export function guiBaseKind(base: string, imports: ImportTable): GuiBaseKind {
  const qualified = imports.qualifyName(base);
  const last = qualified.split('.').pop() ?? '';
  let qt: boolean;
  if (GUI_PACKAGE.test(qualified) && qualified.includes('.')) {
    qt = QT_PACKAGE.test(qualified);
  } else if (!base.includes('.') && !imports.isImported(base)) {
    // `from PyQt5.QtWidgets import *`: a bare base the star import may have brought.
    const star = imports.starModules.find((m) => GUI_PACKAGE.test(m));
    if (!star) return null;
    qt = QT_PACKAGE.test(star);
    if (qt ? !/^Q[A-Z]/.test(last) : !/^[A-Z]/.test(last)) return null;
  } else {
    return null;
  }
  if (!qt) return GDK_VALUES.test(qualified) ? null : 'confined';
  if (QT_THREAD_CLASS.test(last)) return 'thread';
  return QT_NOT_CONFINED.test(last) || !/^Q[A-Z]/.test(last) ? null : 'confined';
}

/**
 * Classes pyuic and pyside-uic generate from Designer forms (`class Ui_Dialog(object)` with `setupUi`
 * and `retranslateUi`): they build widgets, so they run on the GUI thread too.
 */
export function isGeneratedForm(methods: ReadonlyMap<string, unknown>): boolean {
  return methods.has('setupUi') && methods.has('retranslateUi');
}

export type Toolkit = 'Qt' | 'GTK' | 'Tk' | 'wx' | 'Kivy';

/**
 * The toolkit whose object a call makes, when `callee` (as written) names a toolkit class or one of its
 * GObject factories (`Gtk.Label`, `QtWidgets.QLabel`, `tk.Button`, `wx.StaticText`,
 * `Gtk.ComboBox.new_with_model_and_entry`); null for anything else. Qt counts its widgets only
 * (`QtWidgets`): `QtCore`'s and `QtGui`'s values (`QUrl`, `QSize`, `QImage`) may be used from any thread.
 */
export function toolkitObjectMaker(callee: string, imports: ImportTable): Toolkit | null {
  const parts = callee.split('.');
  const factory = parts.length > 1 && /^new(?:_|$)/.test(parts[parts.length - 1]) && /^[A-Z]/.test(parts[parts.length - 2]);
  const classText = factory ? parts.slice(0, -1).join('.') : callee;
  if (!/^[A-Z]/.test(classText.split('.').pop() ?? '')) return null;
  const module = toolkitModule(classText, imports);
  return module && (!QT_PACKAGE.test(module) || /\.QtWidgets(?:\.|$)/.test(module)) ? toolkitOf(module) : null;
}

/** The toolkit of a base class (as written) whose objects are confined to the GUI thread. */
export function toolkitOfBase(base: string, imports: ImportTable): Toolkit | null {
  const module = toolkitModule(base, imports);
  return module ? toolkitOf(module) : null;
}

/** The qualified name of a confined toolkit class (or, through a star import, the module it came from). */
function toolkitModule(classText: string, imports: ImportTable): string | null {
  if (guiBaseKind(classText, imports) !== 'confined') return null;
  const qualified = imports.qualifyName(classText);
  return qualified.includes('.') ? qualified : imports.starModules.find((m) => GUI_PACKAGE.test(m)) ?? null;
}

function toolkitOf(module: string): Toolkit | null {
  if (QT_PACKAGE.test(module)) return 'Qt';
  if (/^(?:gi\.repository\.|gtk)/.test(module)) return 'GTK';
  if (/^(?:tkinter|Tkinter|ttk|customtkinter)/.test(module)) return 'Tk';
  if (/^wx/.test(module)) return 'wx';
  if (/^kivy/.test(module)) return 'Kivy';
  return null;
}
