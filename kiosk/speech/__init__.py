"""Reading the screen aloud: offline voices, a cache of the kiosk's own phrases, aplay, and the service screens call.

    core.speech.say([kiosk_text(_("Your number is")), spoken_queue_number("A042", language)], language)
"""

from kiosk.speech.engines import SpeechUnavailable
from kiosk.speech.service import GAIN, SpeechService
from kiosk.speech.text import Phrase, holds_personal_code, kiosk_text, spoken_queue_number

__all__ = ["GAIN", "Phrase", "SpeechService", "SpeechUnavailable", "holds_personal_code", "kiosk_text",
           "spoken_queue_number"]
