"""A kiosk process for the kill -9 test: puts COUNT help calls in its outbox, then delivers until it is empty."""

import logging
import sys

from kiosk.config import load_settings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")  # to stderr
from kiosk.desk_link import DeskLink

ini, count = sys.argv[1], int(sys.argv[2])
desk = DeskLink(load_settings(ini))
desk.start(heartbeats=False)
for number in range(count):
    desk.call_staff("burst", str(number))
print("queued", flush=True)
delivered = desk.outbox.flush(120)
desk.close()
print("delivered" if delivered else "not delivered", flush=True)
