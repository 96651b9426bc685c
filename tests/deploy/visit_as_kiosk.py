"""A whole visit on the installed kiosk, run as the user 'kiosk' with the package's own Python (/opt/venvs/kac-kiosk).

tests/deploy/test_kiosk_user.py copies this file into the installed root and runs it there with runuser, under an
Xvfb of the kiosk user's own: a card login through the system's pcscd, two pages from SANE's test scanner printed
on the system's CUPS (the job purged at the end), a queue ticket on the receipt printer, the e-service page in the
sandboxed Chromium, and the wipe. It says where it is on standard output, one line each, and waits for a line on
standard input while the page is open, so that the test can look at Chromium's processes from outside.

    python visit_as_kiosk.py KIOSK_INI CA_DIR URL
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def say(step: str, **details) -> None:
    print(json.dumps({"step": step, **details}), flush=True)


def main(ini: str, ca_dir: str, url: str) -> int:
    from tools.driver import prepare_environment
    prepare_environment()
    from kiosk.browser.service import PROFILE_FOLDER, processes_of
    from kiosk.config import load_settings
    from kiosk.idle import Timings
    from tools.driver import AppDriver
    from tools.visit_script import (insert_card, log_in, made_up_resident, scan_two_pages_and_print_a_copy,
                                    take_out)
    settings = load_settings(ini)
    kiosk = AppDriver(settings, Timings(idle_warning_s=3600, idle_countdown_s=60, goodbye_s=3600, tick_s=0.05))
    resident = made_up_resident()
    reader = settings.eid.reader or "Virtual PCD 00 00"
    card = insert_card(Path(ca_dir), resident)
    try:
        kiosk.app.set_language("en")
        log_in(kiosk, resident[3])
        say("logged in")
        scan_two_pages_and_print_a_copy(kiosk)
        say("printed")

        kiosk.app.show("home")
        kiosk.tap(kiosk.find_text("Take a queue ticket"))
        tickets = kiosk.app.screen("queue_ticket")
        kiosk.tap(kiosk.find_text("Something else, or I am not sure"))
        kiosk.tap(kiosk.root_widget("main_button"))
        assert kiosk.wait_until(lambda: tickets.state == "ticket", 30), tickets.body
        say("ticket", number=tickets.number)

        eservice = kiosk.app.screen("eservice")
        eservice.start(url)
        kiosk.app.show("eservice")
        assert kiosk.wait_until(lambda: eservice.state == "open", 60), (eservice.state, eservice.body)
        profile = kiosk.core.visit.directory / PROFILE_FOLDER
        assert kiosk.wait_until(lambda: len(processes_of(profile)) >= 3, 30)  # browser, zygote, renderer...
        kiosk.wait(2.0)  # the page's renderer up and drawing
        say("page open", pids=sorted(processes_of(profile)), kiosk_pid=os.getpid())
        sys.stdin.readline()  # the test looks at the processes meanwhile

        kiosk.app.show("home")
        kiosk.tap(kiosk.find_text("I'm finished — clear this computer"))
        kiosk.tap(kiosk.app.dialogs.built["confirm_end"].ids.confirm)
        assert kiosk.wait_until(lambda: kiosk.core.visits.last_report is not None, 30)
        report = kiosk.core.visits.last_report
        say("wiped", clean=report.clean, wipers=sorted(report.wipers_run), browser_left=len(processes_of(profile)))
    finally:
        take_out(card, reader)
        kiosk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
