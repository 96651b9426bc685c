"""Reading aloud: a text handed to the speech service until its first sample reaches the sound card, and how fast
the voice synthesizes.

The texts are the kiosk's own Latvian screen texts (every msgstr of kiosk/locale/lv/LC_MESSAGES/kiosk.po without a
{placeholder}), each said as a kiosk phrase, as a screen says its heading and explanation. Cold: the phrase cache is
empty, so each is synthesized (goal p95 <= 600 ms); warm: each comes from the cache (goal p95 <= 150 ms). The "card"
is tools/sound_sink.py: the real aplay plays into a FIFO that is read at the sample rate, as a card would, so the
time includes starting aplay and its buffering. Prints name=value lines:

    speech_voice, texts, cold_first_sample_p50_ms, cold_first_sample_p95_ms, warm_first_sample_p50_ms,
    warm_first_sample_p95_ms, synthesis_rtf (seconds to synthesize per second of speech; below 1 is faster than
    real time), synthesis_rtf_p95 (per text)

Run: `.venv/bin/python bench/speech.py [--quick]` (no display needed). --quick says the first 5 texts only: for the
tests, which check that the bench still runs to its figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project's packages come from the repository's root, wherever the bench is started from.
sys.path[0] = str(ROOT)

from babel.messages.pofile import read_po  # noqa: E402

from kiosk.config import load_settings  # noqa: E402
from kiosk.speech import SpeechService, kiosk_text  # noqa: E402
from kiosk.speech.cache import PhraseCache  # noqa: E402
from tools.sound_sink import SoundSink  # noqa: E402

CATALOGUE = ROOT / "kiosk" / "locale" / "lv" / "LC_MESSAGES" / "kiosk.po"
QUICK_TEXTS = 5


def screen_texts() -> list[str]:
    with open(CATALOGUE, "rb") as handle:
        catalog = read_po(handle)
    texts = []
    for message in catalog:
        text = message.string if isinstance(message.string, str) else ""
        if message.id and text.strip() and "{" not in text and text not in texts:
            texts.append(text)
    return texts


def percentile(values: list[float], share: float) -> float:
    """The value `share` of the way up the sorted values (0.5: the median, nearest rank)."""
    return sorted(values)[round(share * (len(values) - 1))]


def first_samples(speech: SpeechService, sink: SoundSink, texts: list[str]) -> list[float]:
    """Milliseconds from say() to the first sample at the card, per text; each is cut short once heard."""
    delays = []
    for text in texts:
        count = len(sink.heard) + 1
        said = time.monotonic()  # the sink's clock
        speech.say(kiosk_text(text), "lv")
        heard = sink.wait_for_sound(count)
        delays.append((heard.first_sample_at - said) * 1000)
        speech.stop()
        speech.wait_until_quiet(10)
        sink.wait_for(count)  # the card has let go of it before the next one is timed
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few texts: does the bench still run?")
    quick = parser.parse_args().quick
    settings = load_settings(ROOT / "kiosk.ini")
    texts = screen_texts()[:QUICK_TEXTS] if quick else screen_texts()
    with tempfile.TemporaryDirectory(prefix="kac-bench-speech-") as folder:
        sink = SoundSink(Path(folder)).start()
        speech_settings = dataclasses.replace(settings.speech, output=sink.device)
        speech = SpeechService(speech_settings, ("lv",), PhraseCache(Path(folder) / "cache"))
        try:
            speech.enabled = True
            speech.say("Sveiki", "lv")  # the service's warm-up, and aplay's first start from disk, not timed
            speech.wait_until_quiet(10)
            sink.wait_for(1)
            cold = first_samples(speech, sink, texts)
            warm = first_samples(speech, sink, texts)
            rtf = []
            made = spoken = 0.0
            for text in texts:
                began = time.perf_counter()
                audio = speech.synthesize(text, "lv")
                took = time.perf_counter() - began
                rtf.append(took / audio.seconds)
                made, spoken = made + took, spoken + audio.seconds
            voice = speech.describe("lv")
        finally:
            speech.close()
            sink.stop()
    print(f"speech_voice={voice}")
    print(f"texts={len(texts)}")
    print(f"cold_first_sample_p50_ms={percentile(cold, 0.5):.0f}")
    print(f"cold_first_sample_p95_ms={percentile(cold, 0.95):.0f}")
    print(f"warm_first_sample_p50_ms={percentile(warm, 0.5):.0f}")
    print(f"warm_first_sample_p95_ms={percentile(warm, 0.95):.0f}")
    print(f"synthesis_rtf={made / spoken:.4f}")
    print(f"synthesis_rtf_p95={percentile(rtf, 0.95):.4f}")


if __name__ == "__main__":
    main()
