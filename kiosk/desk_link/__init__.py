"""The kiosk's side of the staff desk: a client, a durable outbox, local tickets and the DeskLink facade."""

from kiosk.desk_link.client import Booking, DeskUnavailable, Reason, Slot, SlotTaken
from kiosk.desk_link.facade import CallHandle, CallState, Priority, DeskLink, Ticket

__all__ = ["DeskLink", "CallHandle", "CallState", "Priority", "Ticket", "Slot", "Booking", "DeskUnavailable",
           "SlotTaken", "Reason"]
