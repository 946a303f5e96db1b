# Source: openstenoproject/plover, commit fe8bc76 "Lock the display on use in KeyboardCapture for X"
#   (https://github.com/openstenoproject/plover/commit/fe8bc76738267c8fa1f0765a16b45fa533dacbce)
# Fixed: a display lock held around every use of the Display on both threads.
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
        self._display_lock = threading.Lock()

    def _on_event(self, event):
        pass

    def run(self):
        with self._display_lock:  # fixed
            display_fileno = self._display.fileno()
        while True:
            with self._display_lock:  # fixed
                pending_events = self._display.pending_events()
            if not pending_events:
                rlist, wlist, xlist = select.select((self._pipe[0], display_fileno), (), ())
                if self._pipe[0] in rlist:
                    break
                continue
            with self._display_lock:  # fixed
                next_event = self._display.next_event()
            self._on_event(next_event)

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
        with self._display_lock:  # fixed
            self._suppress_keyboard(suppressed_keys)

    def _suppress_keyboard(self, suppressed_keys):
        suppressed_keys = set(suppressed_keys)
        if self._suppressed_keys == suppressed_keys:
            return
        for key in self._suppressed_keys - suppressed_keys:
            self._ungrab_key(key)
            self._suppressed_keys.remove(key)
        for key in suppressed_keys - self._suppressed_keys:
            self._grab_key(key)
            self._suppressed_keys.add(key)
        self._display.sync()
