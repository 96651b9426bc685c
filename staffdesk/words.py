"""The staff desk's words in the staff member's language, from the kiosk's catalogues (kiosk/locale, domain kiosk)."""

from __future__ import annotations

import gettext

from kiosk.i18n import LANGUAGES, N_, translations

DEFAULT_LANGUAGE = "lv"
# The ways staff record a matter (usage.STAFF_CHANNELS), as the console, the reports and their exports name them.
CHANNELS = {"staff": N_("Staff help"), "authorised": N_("Authorised e-service"), "paper": N_("Paper form"),
            "video": N_("Video consultation"), "phone": N_("By phone"), "email": N_("By e-mail")}
# What the console's and the board's scripts show, under the names they ask for it by (t("call_next") in
# static/*.js): the page hands them these words in its language, and the scripts hold no words of their own.
SCRIPT_WORDS = {
    "live": N_("Live"), "reconnecting": N_("Connection lost, reconnecting…"),
    "error": N_("That did not work. Reload the page."),
    "no_calls": N_("Nobody is waiting for help."), "screen": N_("Screen"), "step": N_("Step"),
    "last_error": N_("Last error"), "waiting": N_("Waiting"), "coming": N_("I'm coming"),
    "acknowledged": N_("Staff on the way"), "resolved": N_("Resolved"),
    "call_next": N_("Call next"), "now_serving": N_("Called to your desk"), "recall": N_("Call again"),
    "no_show": N_("No-show"), "any_service": N_("Any service"), "people_waiting": N_("waiting"), "go_to": N_("Go to"),
    "any_topic": N_("Any topic"), "free": N_("Free"), "booked": N_("Booked"), "cancelled": N_("Cancelled"),
    "cancel": N_("Cancel"), "clear": N_("Clear"),
    "present": N_("present"), "missing": N_("missing"), "seconds_ago": N_("s ago"), "never": N_("never"),
    # A kiosk's supplies (level_ + its level) and problems (problem_ + snapshot's name for it).
    "level_ok": N_("ok"), "level_low": N_("low"), "level_out": N_("out"), "level_unknown": N_("unknown"),
    "problem_offline": N_("offline"), "problem_never-seen": N_("not connected yet"),
    "problem_catalogue-refused": N_("refused the new catalogue"),
    # Today's figures (count_ + snapshot's name for each).
    "count_calls": N_("calls"), "count_tickets": N_("tickets"), "count_served": N_("served"),
    "count_no_shows": N_("no-shows"), "count_bookings": N_("bookings"), "count_alerts": N_("alerts"),
    # The matter panel: what was done (a consultation or an application), how (ch_ + channel), and for what.
    "st_consultations": N_("Consultations"), "st_applications": N_("Applications"),
    **{f"ch_{code}": word for code, word in CHANNELS.items()},
    "mt_other": N_("other matter"), "mt_finished": N_("Finished"), "mt_recorded": N_("Recorded"),
}


def language_or_default(code: str | None) -> str:
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def words(language: str | None) -> gettext.NullTranslations:
    """The catalogue of one language (Latvian when none or an unknown one is asked for): .gettext, .pgettext."""
    return translations(language_or_default(language))


def channel_name(language: str, code: str) -> str:
    """A way of recording a matter in words; a way the kiosks report but staff never record keeps its code."""
    return words(language).gettext(CHANNELS[code]) if code in CHANNELS else code


def script_words(language: str) -> dict[str, str]:
    catalogue = words(language)
    return {key: catalogue.gettext(message) for key, message in SCRIPT_WORDS.items()}
