"""The resident's phone following one queue ticket (the QR code on it): a page, and its state that the page polls."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from staffdesk import queue
from staffdesk.api.deps import read_database
from staffdesk.api.pages import language, render
from staffdesk.models import QueueTicket, TicketState
from staffdesk.words import words

router = APIRouter()
# Polling, not the console's event stream: a phone's connection comes and goes (locked screen, mobile network),
# and a short read every few seconds survives that with no open connection held per phone.
POLL_EVERY_S = 5
# After these nothing changes any more: the page stops asking.
FINAL_STATES = (TicketState.DONE.value, TicketState.NO_SHOW.value)


def _ticket(session: Session, token: str) -> QueueTicket:
    """The secret in the link is the credential: it opens this one ticket and nothing else."""
    ticket = queue.ticket_for_follow_token(session, token)
    if ticket is None:
        raise HTTPException(404, "no such ticket")
    return ticket


def follow_state(session: Session, ticket: QueueTicket, lang: str) -> dict:
    """What the phone shows, with the sentence already in the resident's language."""
    _ = words(lang).gettext
    ahead = queue.waiting_ahead(session, ticket) if ticket.state == TicketState.WAITING.value else 0
    if ticket.state == TicketState.WAITING.value:
        status = _("People ahead of you: {ahead}").format(ahead=ahead)
    elif ticket.state == TicketState.CALLED.value:
        status = _("It is your turn! Go to: {desk}").format(desk=ticket.desk)
    elif ticket.state == TicketState.NO_SHOW.value:
        status = _("You were called but did not come. Please take a new number or ask a staff member.")
    else:
        status = _("This number has been served. Thank you!")
    return {"number": ticket.number, "state": ticket.state, "ahead": ahead, "desk": ticket.desk, "status": status,
            "finished": ticket.state in FINAL_STATES}


@router.get("/follow/{token}")
def follow_page(token: str, request: Request, session: Session = Depends(read_database)):
    ticket = _ticket(session, token)
    return render(request, "follow.html", {"view": follow_state(session, ticket, language(request)),
                                           "token": token, "poll_s": POLL_EVERY_S})


@router.get("/follow/{token}/state")
def follow_state_json(token: str, request: Request, session: Session = Depends(read_database)):
    ticket = _ticket(session, token)
    return JSONResponse(follow_state(session, ticket, language(request)), headers={"Cache-Control": "no-store"})
