// The application's main loop read from a module's text (analysis/project/mainLoop.ts): which call,
// on which line, in which function — and the loops that are no application's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationModules, entryCallsOf, mainLoopFacts, mainLoopOf } from '../../server/src/analysis/project/mainLoop';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

test('a loop run from a function is found with its line and function', () => {
  const text = lines('import tkinter', '', 'def main():', '    root = tkinter.Tk()', '    root.mainloop()', '', 'if __name__ == "__main__":', '    main()');
  assert.equal(mainLoopOf(text), 'Tk main loop at line 5');
  assert.deepEqual(mainLoopFacts('app', text), { module: 'app', mainLoop: 'Tk main loop at line 5', loopFunction: 'main', mainGuard: true, entryCalls: ['tkinter.Tk'] });
});

test('comments, module-level loops, loop wrappers and thread targets are skipped for the next candidate', () => {
  const text = lines(
    'import threading',
    '# root.mainloop() in a comment',
    'loop.run()',
    'class Window:',
    '    def mainloop(self):',
    '        self.tk.mainloop()',
    'def serve():',
    '    GLib.MainLoop().run()',
    'threading.Thread(target=serve).start()',
    'def main():',
    '    app.exec_()',
  );
  assert.equal(mainLoopOf(text), 'Qt event loop at line 11');
  assert.deepEqual(mainLoopFacts('m', text).threadTargets, ['serve']);
});

test('a line with two loop calls is named by the first kind in the table; case-insensitive kinds match', () => {
  assert.equal(mainLoopOf(lines('def run():', '    reactor.run(); Gtk.main()')), 'GTK main loop at line 2');
  assert.equal(mainLoopOf(lines('def run():', '    QApp.exec()')), 'Qt event loop at line 2');
  assert.equal(mainLoopOf(lines('def run():', '    wx_app.MainLoop()')), 'wx main loop at line 2');
  assert.equal(mainLoopOf(lines('def run():', '    GLib.MainLoop()')), null);
  assert.equal(mainLoopOf('def run():\n    pass\n'), null);
});

test('a terminal UI run by curses.wrapper is a main loop', () => {
  assert.equal(mainLoopOf(lines('import curses', 'def main():', '    curses.wrapper(draw)')), 'curses main loop at line 3');
});

test('each service of a distribution with its own __main__ is one application; a script guard takes the top-level package', () => {
  const apps = applicationModules([
    { module: 'suite.client.text.__main__', mainLoop: 'curses main loop at line 9', loopFunction: 'main', mainGuard: true },
    { module: 'suite.client.text.view' },
    { module: 'suite.audio.__main__' },
    { module: 'suite.audio.player' },
    { module: 'suite.util' },
    { module: 'tool.gui', mainLoop: 'Tk main loop at line 4', loopFunction: 'run', mainGuard: true },
    { module: 'tool.io' },
  ]);
  assert.deepEqual([...apps.keys()].sort(), ['suite.client.text.__main__', 'suite.client.text.view', 'tool.gui', 'tool.io']);
  assert.equal(apps.get('suite.client.text.view'), 'curses main loop at line 9 of suite.client.text.__main__');
});

test('a script that calls an imported module\'s loop function starts that application; a test\'s script does not', () => {
  const script = lines('import sys', '', 'def start():', '    import ui.console as console', '    from ui import web', '    console.runwrapper()', '    web.serve(sys.argv)', '', 'if __name__ == "__main__":', '    start()');
  assert.deepEqual(entryCallsOf(script), ['console.runwrapper', 'web.serve']);
  assert.deepEqual(entryCallsOf(lines('import ui', 'ui.run()')), []);
  const loop = { module: 'src.ui.console', mainLoop: 'curses main loop at line 40', loopFunction: 'runwrapper' };
  assert.deepEqual([...applicationModules([loop, { module: 'src.main', mainGuard: true, entryCalls: entryCallsOf(script) }, { module: 'src.net' }]).keys()].sort(), ['src.main', 'src.net', 'src.ui.console']);
  assert.equal(applicationModules([loop, { module: 'src.tests.test_console', entryCalls: ['console.runwrapper'] }, { module: 'src.net' }]).size, 0);
});
