"""`kiosk call-staff` and the ticket function behind `kiosk ticket`: the desk from the command line."""

from __future__ import annotations

import argparse
import json

from kiosk.config import load_settings
from kiosk.desk_link.facade import CallState, Priority, DeskLink, Ticket

EXIT_OK, EXIT_FAILED = 0, 1
# Long enough for a desk that answers, short enough for an administrator at a prompt.
DELIVERY_WAIT_S = 5.0

SAYS = {
    CallState.NO_DESK: "No staff desk is configured in kiosk.ini ([staffdesk] url): please go to the desk.",
    CallState.QUEUED: "The desk cannot be reached now; the call is kept in the outbox and the kiosk will "
                      "deliver it when the desk is back.",
    CallState.OPEN: "The desk has the call; staff have not answered yet.",
    CallState.ACKNOWLEDGED: "A staff member is coming.",
}


def cmd_call_staff(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    desk = DeskLink(settings)
    try:
        desk.start(heartbeats=False)
        handle = desk.call_staff(screen="command line", step="call-staff", reason=args.reason or "")
        if desk.has_desk:
            desk.outbox.flush(DELIVERY_WAIT_S)
            desk.refresh_call(handle)
    finally:
        desk.close()
    if args.json:
        print(json.dumps({"key": handle.key, "state": handle.state.value}))
    else:
        print(SAYS.get(handle.state, handle.state.value))
    return EXIT_OK if handle.state in (CallState.OPEN, CallState.ACKNOWLEDGED) else EXIT_FAILED


def add_call_staff_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("call-staff", help="call a staff member to this kiosk (exit 1 when the desk "
                                                      "did not get it yet: it stays in the outbox)")
    parser.add_argument("--reason", help="a few words for staff; never a resident's personal data")
    parser.add_argument("--json", action="store_true", help="print {key, state} as JSON")
    parser.add_argument("--config", help="path of kiosk.ini")
    parser.set_defaults(handler=cmd_call_staff)
    return parser


def take_ticket_for_cli(settings, service_id: str, service_name_lv: str, priority: Priority = Priority.NONE) -> Ticket:
    """A queue ticket as `kiosk ticket --service ID` gives it: from the desk, else from the kiosk's series
    (then reported through the outbox, waiting a few seconds for the desk before this process ends)."""
    desk = DeskLink(settings)
    try:
        desk.start(heartbeats=False)
        ticket = desk.take_ticket(service_id, service_name_lv, priority)
        if desk.has_desk and not ticket.from_desk:
            desk.outbox.flush(DELIVERY_WAIT_S)
        return ticket
    finally:
        desk.close()
