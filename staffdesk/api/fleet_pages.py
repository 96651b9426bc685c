"""The console's catalogue page: which catalogue and settings each kiosk runs; a centre manager's own settings; the
national team's versions, made ready for signing, published and released ring by ring (staffdesk/fleet.py)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.fleet.layers import CENTRE, LAYER_KEYS
from staffdesk import accounts, fleet
from staffdesk.api.deps import StaffContext, database, staff_page
from staffdesk.api.pages import render
from staffdesk.core.guard import FLEET_UPLOAD_MAX
from staffdesk.models import Centre, Role, Ring

router = APIRouter()
# The centre's keys as the form shows them, in this order.
CENTRE_FIELDS = [(section, key) for section in ("centre", "ui", "printing") for key in sorted(LAYER_KEYS[CENTRE][section])]


def manager(context: StaffContext = Depends(staff_page)) -> StaffContext:
    if context.staff.role not in (Role.MANAGER.value, Role.NATIONAL.value):
        raise HTTPException(403, "the catalogue page is for managers")
    return context


def national(context: StaffContext = Depends(manager)) -> StaffContext:
    if context.staff.role != Role.NATIONAL.value:
        raise HTTPException(403, "publishing the catalogue is for the national team")
    return context


def _form_action(context: StaffContext, csrf_token: str) -> None:
    if not accounts.csrf_ok(context.session, csrf_token):
        raise HTTPException(403, "the CSRF token is missing or wrong")


@router.get("/fleet")
def fleet_page(request: Request, context: StaffContext = Depends(manager), problem: str = "", done: str = ""):
    is_national = context.staff.role == Role.NATIONAL.value
    with request.app.state.read_sessions() as session:
        centre = session.get(Centre, context.staff.centre_id)
        layer = json.loads(centre.settings_json or "{}")
        kiosks = fleet.fleet_status(session, None if is_national else centre.id)
        versions = fleet.bundles_on_desk(session) if is_national else []
        centres = list(session.execute(select(Centre.name, Centre.pilot).order_by(Centre.name))) if is_national else []
    return render(request, "fleet.html", {
        "staff": context.staff, "csrf_token": context.session.csrf_token, "national": is_national,
        "centre": centre, "fields": [(section, key, layer.get(section, {}).get(key, "")) for section, key in
                                     CENTRE_FIELDS],
        "kiosks": kiosks if not is_national else [row for row in kiosks if row.behind or row.refused],
        "own_kiosks": [row for row in kiosks if row.centre == centre.name],
        "versions": versions, "centres": centres, "problem": problem, "done": done,
        "publisher_keys": request.app.state.settings.publisher_keys is not None},
        422 if problem else 200)


def _back(problem: str = "", done: str = "") -> RedirectResponse:
    from urllib.parse import urlencode
    query = urlencode({name: value for name, value in (("problem", problem), ("done", done)) if value})
    return RedirectResponse(f"/fleet{'?' + query if query else ''}", status_code=303)


@router.post("/fleet/centre-settings")
async def save_centre_settings(request: Request, context: StaffContext = Depends(manager),
                               session: Session = Depends(database)):
    form = await request.form()
    _form_action(context, str(form.get("csrf_token", "")))
    values: dict[str, dict[str, str]] = {}
    for section, key in CENTRE_FIELDS:
        text = str(form.get(f"{section}.{key}", "")).strip()
        if text:  # an empty field leaves the key to the national layer and kiosk.ini
            values.setdefault(section, {})[key] = text
    for name in form:  # a key the form does not have is not silently dropped
        if "." in name and tuple(name.split(".", 1)) not in CENTRE_FIELDS and str(form.get(name, "")).strip():
            values.setdefault(name.split(".", 1)[0], {})[name.split(".", 1)[1]] = str(form[name]).strip()
    centre = session.get(Centre, context.staff.centre_id)
    try:
        revision = fleet.set_centre_layer(session, centre, values)
    except fleet.FleetError as error:
        return _back(problem=str(error))
    return _back(done=f"centre-settings-{revision}")


@router.post("/fleet/export")
async def export_unsigned(request: Request, catalogue: UploadFile = File(...), valid_days: int = Form(90),
                          note: str = Form("", max_length=300), csrf_token: str = Form(""),
                          context: StaffContext = Depends(national), session: Session = Depends(database)):
    _form_action(context, csrf_token)
    data = await catalogue.read(FLEET_UPLOAD_MAX + 1)
    try:
        envelope = fleet.unsigned_bundle(session, data, max(1, min(valid_days, 366)), note)
    except fleet.FleetError as error:  # the same sentence `kiosk catalog check` gives
        return _back(problem=str(error))
    from kiosk.fleet.bundle import peek
    version = peek(envelope).version
    return Response(envelope, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="catalogue-{version}-unsigned.json"'})


@router.post("/fleet/publish")
async def publish_signed(request: Request, bundle: UploadFile = File(...), ring: str = Form("pilot"),
                         csrf_token: str = Form(""), context: StaffContext = Depends(national),
                         session: Session = Depends(database)):
    _form_action(context, csrf_token)
    data = await bundle.read(FLEET_UPLOAD_MAX + 1)
    try:
        row = fleet.take_signed(session, data, fleet.publisher_keys(request.app.state.settings.publisher_keys),
                                context.staff.id)
        if ring in (Ring.PILOT.value, Ring.EVERYONE.value):
            fleet.release(session, row.version, Ring(ring))
    except fleet.FleetError as error:
        return _back(problem=str(error))
    request.app.state.offers.forget()
    return _back(done=f"published-{row.version}")


@router.post("/fleet/release")
def release_version(request: Request, version: int = Form(...), ring: str = Form(...), csrf_token: str = Form(""),
                    context: StaffContext = Depends(national), session: Session = Depends(database)):
    _form_action(context, csrf_token)
    if ring not in (Ring.PILOT.value, Ring.EVERYONE.value):
        raise HTTPException(422, "ring: pilot or everyone")
    try:
        fleet.release(session, version, Ring(ring))
    except fleet.FleetError as error:
        return _back(problem=str(error))
    request.app.state.offers.forget()
    return _back(done=f"released-{version}-{ring}")


@router.post("/fleet/pilot")
def set_pilot(request: Request, centre: str = Form(..., max_length=200), pilot: str = Form("no"),
              csrf_token: str = Form(""), context: StaffContext = Depends(national),
              session: Session = Depends(database)):
    _form_action(context, csrf_token)
    try:
        fleet.set_pilot(session, centre, pilot == "yes")
    except fleet.FleetError as error:
        return _back(problem=str(error))
    request.app.state.offers.forget()
    return _back(done="pilot")
