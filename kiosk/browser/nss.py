"""The eID card's PKCS#11 module in the NSS database Chromium reads for the kiosk's user ($HOME/.pki/nssdb).

Chromium on Linux loads PKCS#11 modules from that database, not from its profile: so the module is registered
once per kiosk user, and each visit's fresh profile still finds the card.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)
MODULE_NAME = "kac-eid"


class NssError(Exception):
    """The NSS tools failed; the text says which and why, for the administrator."""


def nss_db(home: Path | None = None) -> Path:
    return (home or Path.home()) / ".pki" / "nssdb"


def register_module(module: Path, db: Path) -> None:
    """Create the database if there is none, then (re)register `module` under the kiosk's name."""
    if not Path(module).is_file():
        raise NssError(f"the PKCS#11 module {module} does not exist")
    if not (db / "cert9.db").exists():
        db.mkdir(parents=True, mode=0o700, exist_ok=True)
        _run("certutil", "-N", "-d", f"sql:{db}", "--empty-password")
    # -force: no questions; modutil still waits for a return key on some versions, hence the newline.
    _run("modutil", "-dbdir", f"sql:{db}", "-add", MODULE_NAME, "-libfile", str(module), "-force")


def module_state(db: Path) -> tuple[bool, str]:
    """(registered and loading, a line for the administrator)."""
    try:
        listing = _run("modutil", "-dbdir", f"sql:{db}", "-list", MODULE_NAME)
    except NssError as error:
        return False, f"{MODULE_NAME} is not registered in {db} ({error}); 'kiosk browser register-eid' does it"
    library = next((line.split(":", 1)[1].strip() for line in listing.splitlines()
                    if line.strip().startswith("Library file:")), "?")
    if "Slot:" not in listing:
        return False, f"{MODULE_NAME} ({library}) is registered in {db} but does not load"
    return True, f"{MODULE_NAME} ({library}) is registered in {db} and loads"


def _run(*command: str) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, input="\n", timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise NssError(f"{command[0]} could not run: {type(error).__name__}; the package libnss3-tools has it") \
            from None
    if result.returncode != 0:
        raise NssError(f"{command[0]}: {(result.stderr or result.stdout).strip().splitlines()[-1][:200]}")
    return result.stdout


def register_eid_module(browser) -> None:
    """The card's PKCS#11 module in the browser user's NSS database, so that the card logs in (once per user)."""
    if browser.pkcs11_module is None:
        return
    db = nss_db(browser.home)
    try:
        if not module_state(db)[0]:
            register_module(browser.pkcs11_module, db)
        log.info("eID in the browser: %s", module_state(db)[1])
    except NssError as error:
        log.error("the eID module could not be registered for the browser: %s", error)
