# Source: openstenoproject/plover, commit fe8bc76 "Lock the display on use in KeyboardCapture for X"
#   (https://github.com/openstenoproject/plover/commit/fe8bc76738267c8fa1f0765a16b45fa533dacbce)
# Race: one Xlib Display (not thread-safe) is read by the capture thread's event loop while the engine's
#   thread grabs and ungrabs keys and syncs on it (suppress_keyboard): their requests interleave on the
#   one X connection.
# threads: the capture thread runs `run`; the engine calls `suppress_keyboard` from its own thread.
import os
import select
import threading

from Xlib import X, display
from Xlib.ext import xinput


class XEventLoop(threading.Thread):

    def __init__(self, name='xev'):
        super().__init__()
        self.name += '-' + name
        self._display = display.Display()
        self._pipe = os.pipe()

    def _on_event(self, event):
        pass

    def run(self):
        display_fileno = self._display.fileno()  # race
        while True:
            if not self._display.pending_events():  # race
                rlist, wlist, xlist = select.select((self._pipe[0], display_fileno), (), ())
                if self._pipe[0] in rlist:
                    break
                continue
            self._on_event(self._display.next_event())  # race

    def cancel(self):
        os.write(self._pipe[1], b'quit')
        self.join()


class KeyboardCapture(XEventLoop):

    def __init__(self):
        super().__init__(name='capture')
        self._suppressed_keys = set()
        self._devices = []
        self._window = self._display.screen().root

    def _update_devices(self):
        keyboard_devices = []
        for devinfo in self._display.xinput_query_device(xinput.AllDevices).devices:
            if devinfo.use == xinput.SlaveKeyboard:
                keyboard_devices.append(devinfo.deviceid)
        self._devices = keyboard_devices

    def start(self):
        self._update_devices()
        suppressed_keys = self._suppressed_keys
        self._suppressed_keys = set()
        self.suppress_keyboard(suppressed_keys)
        super().start()

    def cancel(self):
        self.suppress_keyboard()
        super().cancel()

    def _grab_key(self, keycode):
        for deviceid in self._devices:
            self._window.xinput_grab_keycode(deviceid, X.CurrentTime, keycode, xinput.GrabModeAsync, xinput.GrabModeAsync, True, 0, (0, X.Mod2Mask))

    def _ungrab_key(self, keycode):
        for deviceid in self._devices:
            self._window.xinput_ungrab_keycode(deviceid, keycode, (0, X.Mod2Mask))

    def suppress_keyboard(self, suppressed_keys=()):
        suppressed_keys = set(suppressed_keys)
        if self._suppressed_keys == suppressed_keys:
            return
        for key in self._suppressed_keys - suppressed_keys:
            self._ungrab_key(key)
            self._suppressed_keys.remove(key)
        for key in suppressed_keys - self._suppressed_keys:
            self._grab_key(key)
            self._suppressed_keys.add(key)
        self._display.sync()  # race
