"""The screen a kiosk that keeps failing ends on: "out of order, please ask staff" in every language, nothing else.

systemd shows it (`kac-kiosk-out-of-order.service`, the kiosk unit's OnFailure=) once the kiosk has crashed or hung
too often in a row, instead of a console. It reads no kiosk.ini (a broken one may be why it is shown), touches no
device and takes no input: it cannot fail the way the kiosk did.
"""

from __future__ import annotations

import signal
from pathlib import Path

from kiosk.i18n import LANGUAGES, N_, translate

HEADING = N_("This computer is out of order")
ASK_STAFF = N_("Please ask a staff member for help.")


def out_of_order_lines() -> list[tuple[str, str]]:
    """(heading, sentence) in each of the kiosk's languages, Latvian first, each in itself."""
    return [(translate(language, HEADING), translate(language, ASK_STAFF)) for language in LANGUAGES]


def run_out_of_order(windowed: bool = False) -> int:
    """Shows the screen until the process is stopped (systemd stops it when the kiosk is started again)."""
    from screens.window_setup import configure_window
    configure_window(full=not windowed, show_cursor=windowed)
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.factory import Factory
    from kivy.lang import Builder

    class OutOfOrderApp(App):
        title = "KAC"

        def build(self):
            root = Builder.load_file(str(Path(__file__).with_suffix(".kv")))
            for heading, sentence in out_of_order_lines():
                block = Factory.OutOfOrderLanguage()  # a kv class takes its own properties only once made
                block.heading, block.sentence = heading, sentence
                root.add_widget(block)
            Window.bind(on_request_close=lambda *_args, **_kwargs: True)  # no key or click closes it
            return root

    app = OutOfOrderApp()
    # SIGTERM from systemd (the kiosk starts again) stops it; Python's handler is set first, so SDL keeps it.
    signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: app.stop()))
    app.run()
    return 0
