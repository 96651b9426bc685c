"""A virtual sound card for the speech tests and benchmark: aplay plays into a FIFO through ALSA's file plugin, and
this reads it at the sample rate, as a card's clock would, recording what each utterance sent and when.

    sink = SoundSink(folder).start()      # [speech] output = sink.device
    ...                                   # sink.heard: one Heard per aplay that played
    sink.stop()
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

READ_BYTES = 512  # about 12 ms of speech at a time, as a card takes it
# How ALSA's file plugin begins every stream: RIFF, its length 36, WAVE, and a 16-byte format chunk.
SIGNATURE = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"
HEADER_BYTES = 44
# Silence this long after the last sample was played ends an utterance.
ENDED_AFTER_S = 0.15


@dataclass
class Heard:
    """One aplay's sound, as the card received it."""
    opened_at: float  # time.monotonic()
    rate: int = 0
    first_sample_at: float | None = None
    ended_at: float | None = None
    pcm: bytearray = field(default_factory=bytearray)

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate if self.rate else 0.0


class SoundSink:
    def __init__(self, folder: Path):
        self.fifo = Path(folder) / "speakers.fifo"
        # ALSA's file plugin writes a WAV header, then the samples, into the FIFO; its slave 'null' discards them.
        self.device = f"file:'{self.fifo}',wav"
        self.heard: list[Heard] = []
        self._changed = threading.Condition()
        self._stopping = False
        self._descriptor = -1
        self._thread = threading.Thread(target=self._run, name="sound-sink", daemon=True)

    def start(self) -> SoundSink:
        os.mkfifo(self.fifo, 0o600)
        # Held open for reading and writing, the FIFO keeps one pipe for every aplay, made small once while it is
        # empty, so that a player runs ahead of the "card" by about as little as it would of a real one.
        self._descriptor = os.open(self.fifo, os.O_RDWR)
        fcntl.fcntl(self._descriptor, fcntl.F_SETPIPE_SZ, 4096)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        self._thread.join(timeout=5)
        os.close(self._descriptor)
        self.fifo.unlink(missing_ok=True)

    def wait_for(self, count: int, timeout: float = 30) -> list[Heard]:
        """Until `count` utterances have ended; the list of them."""
        with self._changed:
            if not self._changed.wait_for(lambda: sum(h.ended_at is not None for h in self.heard) >= count, timeout):
                raise TimeoutError(f"{count} utterance(s) expected, {len(self.heard)} heard in {timeout} s")
            return list(self.heard)

    def wait_for_sound(self, count: int, timeout: float = 10) -> Heard:
        """Until the `count`th utterance's first sample arrived; that utterance."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.heard) >= count and self.heard[count - 1].first_sample_at,
                                          timeout):
                raise TimeoutError(f"no sound of utterance {count} within {timeout} s")
            return self.heard[count - 1]

    def _run(self) -> None:
        """Utterances are told apart by the WAV header each aplay starts with (the pipe never sees an end of file,
        as the sink holds it open): a new header ends the one before (an interruption), and so does silence once
        everything received has been played."""
        heard: Heard | None = None
        pending = b""
        while not self._stopping:
            if not select.select([self._descriptor], [], [], 0.02)[0]:
                if heard is not None and time.monotonic() > self._played_by(heard) + ENDED_AFTER_S:
                    self._add(heard, pending)
                    self._end(heard)
                    heard, pending = None, b""
                continue
            pending += os.read(self._descriptor, READ_BYTES)
            while (at := pending.find(SIGNATURE)) >= 0 and len(pending) >= at + HEADER_BYTES:
                if heard is not None:
                    self._add(heard, pending[:at])
                    self._end(heard)
                heard = Heard(opened_at=time.monotonic(), rate=struct.unpack("<I", pending[at + 24:at + 28])[0])
                with self._changed:
                    self.heard.append(heard)
                pending = pending[at + HEADER_BYTES:]
            if heard is not None and len(pending) > HEADER_BYTES:
                # Held back: the start of a header split across two reads.
                self._add(heard, pending[:-HEADER_BYTES])
                pending = pending[-HEADER_BYTES:]
        if heard is not None:
            self._end(heard)

    @staticmethod
    def _played_by(heard: Heard) -> float:
        return (heard.first_sample_at or heard.opened_at) + len(heard.pcm) / 2 / heard.rate

    def _add(self, heard: Heard, pcm: bytes) -> None:
        if not pcm:
            return
        now = time.monotonic()
        with self._changed:
            if heard.first_sample_at is None:
                heard.first_sample_at = now
                self._changed.notify_all()
            heard.pcm += pcm
        # As a card: the next samples are taken when these have been played.
        due = self._played_by(heard)
        if due > now:
            time.sleep(due - now)

    def _end(self, heard: Heard) -> None:
        with self._changed:
            heard.ended_at = time.monotonic()
            self._changed.notify_all()
