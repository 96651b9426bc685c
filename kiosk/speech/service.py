"""Reading aloud for the resident at the kiosk: their switch and volume, utterances made and played off the UI
thread, each new one cutting the last short, kiosk phrases from the cache, and nothing of theirs kept afterwards."""

from __future__ import annotations

import contextlib
import importlib
import logging
import functools
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from kiosk import events
from kiosk.config import VOLUMES, Settings, SpeechSection, Voice
from kiosk.speech.audio import Audio, joined, louder
from kiosk.speech.cache import PhraseCache
from kiosk.speech.engines import SpeechUnavailable, engines
from kiosk.speech.player import AplayPlayer, NoSoundOutput, Playback
from kiosk.speech.text import Phrase, Spoken, holds_personal_code, phrases
from kiosk.worker import Worker

log = logging.getLogger(__name__)

# The three volume steps as a share of the voice's full level: about -9 dB, -4.4 dB and 0 dB.
GAIN = {"quiet": 0.35, "normal": 0.6, "loud": 1.0}
SLICE_BYTES = 4096  # about a tenth of a second of speech


@dataclass(frozen=True)
class _Utterance:
    phrases: tuple[Phrase, ...]
    language: str
    generation: int  # the service's count of cuts when it was asked for: a later cut makes it stale


class SpeechService:
    """What screens call to read aloud; every method returns at once and none raises when no sound can be made."""

    def __init__(self, speech: SpeechSection, languages: Iterable[str], cache: PhraseCache | None = None,
                 notify: Callable[[object], None] | None = None, player: AplayPlayer | None = None):
        self._voices: dict[str, Voice] = ({} if speech.engine == "none" else
                                          {language: speech.voice(language) for language in languages})
        self._rate = speech.rate
        self._first_volume = speech.volume
        self._volume = speech.volume
        self._enabled = False
        self._cache = cache
        self._notify = notify or (lambda event: None)
        self._player = player or AplayPlayer(speech.output)
        self._engines = engines()
        self._lock = threading.Lock()
        self._quiet = threading.Condition(self._lock)  # notified whenever an utterance is done with
        self._generation = 0
        self._pending = 0
        self._playback: Playback | None = None
        self._told: set[str] = set()  # problems logged already: a kiosk without a sound card says so once
        self._worker = Worker("speech")
        self._worker.post(self._warm_up)

    @classmethod
    def from_settings(cls, settings: Settings, notify: Callable[[object], None] | None = None) -> SpeechService:
        return cls(settings.speech, settings.ui.languages, PhraseCache(settings.kiosk.state_dir / "speech-cache"),
                   notify)

    # ---- what a screen uses -------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Reading aloud is on for this resident (off again when their visit ends)."""
        return self._enabled

    @enabled.setter
    def enabled(self, on: bool) -> None:
        with self._lock:
            self._enabled = bool(on)
            if not on:
                self._cut_short()

    def toggle(self) -> bool:
        """The speaker button: on, or off with the sound stopped at once; returns the new state."""
        self.enabled = not self._enabled
        return self._enabled

    def say(self, spoken: Spoken, language: str, interrupt: bool = True) -> bool:
        """Speak `spoken` (a text, a Phrase, or a list of them) in `language`: at once, cutting short what is being
        said, or after it (interrupt=False). Plain text is spoken and forgotten; kiosk_text(...) may be cached.

        Returns whether it will be spoken: False while reading aloud is off, or when no voice speaks `language`
        (logged once, and SpeechFailed is told).
        """
        if not self._enabled:
            return False
        return self._enqueue(phrases(spoken), language, interrupt)

    def stop(self) -> None:
        """Silence now: what is playing stops, what is waiting is dropped."""
        with self._lock:
            self._cut_short()

    @property
    def volume(self) -> str:
        """'quiet', 'normal' or 'loud'."""
        return self._volume

    @property
    def volume_step(self) -> int:
        """1, 2 or 3, for the volume button's picture."""
        return VOLUMES.index(self._volume) + 1

    def next_volume(self) -> str:
        """The volume button: quiet, normal, loud, then quiet again; heard within about half a second, even
        mid-sentence."""
        self._volume = VOLUMES[(VOLUMES.index(self._volume) + 1) % len(VOLUMES)]
        return self._volume

    @property
    def speaking(self) -> bool:
        """Something is being said or waits to be."""
        return self._pending > 0

    def can_speak(self, language: str) -> bool:
        return self.problem(language) is None

    def problem(self, language: str) -> str | None:
        """Why `language` cannot be spoken (a sentence for the administrator), or None."""
        voice = self._voices.get(language)
        if voice is None:
            return "[speech] engine = none" if not self._voices else f"no voice is configured for '{language}'"
        engine = self._engines[voice.engine]
        return engine.problem(voice.name)

    # ---- the visit, the command line, the end ------------------------------------------------------------

    def end_visit(self) -> None:
        """The visit's end: reading aloud off again, the volume back to the start, nothing playing or waiting."""
        with self._lock:
            self._enabled = False
            self._volume = self._first_volume
            self._cut_short()
        self.wait_until_quiet(2.0)

    def holds_nothing(self) -> bool:
        """The visit's wipe checks this: off, and no utterance (whose text may be a resident's) left in memory."""
        return not self._enabled and self._pending == 0 and self._playback is None

    def wait_until_quiet(self, timeout: float) -> bool:
        """Until nothing is said or waiting (for the command line and the tests); False when `timeout` passed."""
        with self._quiet:
            return self._quiet.wait_for(lambda: self._pending == 0, timeout)

    def synthesize(self, spoken: Spoken, language: str) -> Audio:
        """The sound of `spoken` at the voice's own level, made now on this thread, neither played nor cached
        (`kiosk say --out`, the doctor, the benchmark); SpeechUnavailable when nothing can be made."""
        problem = self.problem(language)
        if problem:
            raise SpeechUnavailable(problem)
        voice = self._voices[language]
        pieces = [audio for phrase in self._sayable(phrases(spoken))
                  for audio in self._engines[voice.engine].stream(phrase.text, voice.name, self._rate)]
        audio = joined(pieces)
        if audio is None:
            withheld = any(holds_personal_code(phrase.text) for phrase in phrases(spoken))
            raise SpeechUnavailable("it looks like a personal code, which the kiosk never reads aloud" if withheld
                                    else "there was nothing to say")
        return audio

    def describe(self, language: str) -> str:
        voice = self._voices.get(language)
        return str(voice) if voice else "none"

    def close(self) -> None:
        """Silence, and the worker thread ends."""
        self.stop()
        self._worker.stop()

    # ---- behind the scenes --------------------------------------------------------------------------

    def _enqueue(self, spoken: tuple[Phrase, ...], language: str, interrupt: bool) -> bool:
        problem = self.problem(language)
        if problem:
            self._report("no voice", language, f"{language} cannot be spoken: {problem}")
            return False
        with self._lock:
            if interrupt:
                self._cut_short()
            self._pending += 1
            self._worker.post(functools.partial(self._say, _Utterance(spoken, language, self._generation)))
        return True

    def _cut_short(self) -> None:
        """With the lock held: every utterance asked for so far becomes stale, and the sound stops."""
        self._generation += 1
        if self._playback is not None:
            self._playback.abort()

    def _stale(self, utterance: _Utterance) -> bool:
        return utterance.generation != self._generation

    def _say(self, utterance: _Utterance) -> None:
        """On the worker (which logs a failure by its kind only, never the text, and drops the utterance after)."""
        try:
            if not self._stale(utterance):
                self._speak(utterance)
        finally:
            with self._quiet:
                self._pending -= 1
                self._quiet.notify_all()

    def _warm_up(self) -> None:
        """Before the first utterance (only slower without it): the voices' versions for cache names, and numpy for
        the volume steps."""
        for voice in self._voices.values():
            engine = self._engines[voice.engine]
            if engine.problem(voice.name) is None:
                engine.identity(voice.name)
        importlib.import_module("numpy")  # the first volume step would otherwise wait for it

    def _speak(self, utterance: _Utterance) -> None:
        voice = self._voices[utterance.language]
        engine = self._engines[voice.engine]
        playback, playback_rate, started, interrupted = None, 0, False, False
        try:
            with contextlib.closing(self._sound(utterance, engine, voice)) as sound:
                for audio in sound:
                    if playback is not None and audio.rate != playback_rate:
                        playback.finish()  # a cached phrase from another rate: played after the one before
                        playback = self._release(playback)
                    if playback is None:
                        playback, playback_rate = self._start(utterance, audio.rate), audio.rate
                        if playback is None:
                            break
                        if not started:
                            started = True
                            self._notify(events.SpeechStarted(utterance.language))
                    for start in range(0, len(audio.pcm), SLICE_BYTES):
                        # Slice by slice, so that a new volume step applies to what is written next.
                        playback.write(louder(audio.pcm[start:start + SLICE_BYTES], GAIN[self._volume]))
                        if self._stale(utterance):
                            break
                    if self._stale(utterance):
                        break
                else:
                    if playback is not None:
                        playback.finish()
                        self._told = {told for told in self._told if not told.startswith("no sound output")}
            interrupted = self._stale(utterance)
        except NoSoundOutput as problem:
            interrupted = self._stale(utterance)
            if not interrupted:
                self._report("no sound output", utterance.language,
                             f"no sound output on {self._player.describe()} ({problem})")
        except SpeechUnavailable as problem:
            self._report("no voice", utterance.language, f"{utterance.language} cannot be spoken: {problem}")
        finally:
            self._release(playback)
            if started:
                self._notify(events.SpeechStopped(interrupted))

    def _start(self, utterance: _Utterance, rate: int) -> Playback | None:
        """A playback for the utterance, unless it was cut short meanwhile (then no aplay is left running)."""
        playback = self._player.open(rate)
        with self._lock:
            if self._stale(utterance):
                playback.close()
                return None
            self._playback = playback
        return playback

    def _release(self, playback: Playback | None) -> None:
        if playback is None:
            return None
        with self._lock:
            if self._playback is playback:
                self._playback = None
        playback.close()
        return None

    def _sound(self, utterance: _Utterance, engine, voice: Voice) -> Iterator[Audio]:
        """The utterance's sound piece by piece: kiosk phrases from the cache, or made and then kept; anything else
        made, played and forgotten."""
        for phrase in self._sayable(utterance.phrases):
            if not (phrase.kiosk and self._cache is not None):
                yield from engine.stream(phrase.text, voice.name, self._rate)
                continue
            key = self._cache.key(engine.identity(voice.name), utterance.language, self._rate, phrase.text)
            cached = self._cache.get(key)
            if cached is not None:
                yield cached
                continue
            pieces = []
            for audio in engine.stream(phrase.text, voice.name, self._rate):
                pieces.append(audio)
                yield audio
            # Reached only when the phrase was made to its end: a phrase cut short is not kept.
            self._cache.put(key, joined(pieces))

    @staticmethod
    def _sayable(spoken: tuple[Phrase, ...]) -> Iterator[Phrase]:
        for phrase in spoken:
            text = " ".join(phrase.text.split())
            if holds_personal_code(text):
                log.warning("speech: a phrase that looks like a personal code was left unspoken")
                continue
            if text:
                yield Phrase(text, phrase.kiosk)

    def _report(self, problem: str, language: str, sentence: str) -> None:
        """Logged once until it goes away (never the text being spoken); told every time, for the screen."""
        if sentence not in self._told:
            self._told.add(sentence)
            log.warning("speech: %s; the kiosk carries on silently", sentence)
        self._notify(events.SpeechFailed(problem, language, sentence))
