"""Speech as 16-bit mono samples: WAV in and out, and the volume steps applied to the samples."""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

SAMPLE_BYTES = 2  # 16-bit signed little-endian, one channel: what every engine here gives and aplay takes


@dataclass(frozen=True)
class Audio:
    pcm: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / SAMPLE_BYTES / self.rate

    def wav(self) -> bytes:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(SAMPLE_BYTES)
            out.setframerate(self.rate)
            out.writeframes(self.pcm)
        return buffer.getvalue()

    def write(self, path: Path) -> None:
        Path(path).write_bytes(self.wav())


def joined(pieces: list[Audio]) -> Audio | None:
    """Consecutive pieces of one voice as one; None for no pieces."""
    if not pieces:
        return None
    return Audio(b"".join(piece.pcm for piece in pieces), pieces[0].rate)


def read_wav(data: bytes) -> Audio:
    """A 16-bit mono WAV; ValueError for anything else."""
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            if source.getnchannels() != 1 or source.getsampwidth() != SAMPLE_BYTES:
                raise ValueError("not 16-bit mono")
            return Audio(source.readframes(source.getnframes()), source.getframerate())
    except (wave.Error, EOFError) as error:
        raise ValueError(str(error)) from None


def stream_header(read) -> int:
    """Reads a streamed WAV's header through `read(n)` up to its samples; returns the sample rate.

    A stream's header cannot carry its length (espeak-ng writes 0x7fffffff), so only the chunks are walked.
    """
    riff = _exactly(read, 12)
    if riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        raise ValueError("not a WAV stream")
    rate = 0
    while True:
        kind, size = struct.unpack("<4sI", _exactly(read, 8))
        if kind == b"data":
            if not rate:
                raise ValueError("samples before the format")
            return rate
        body = _exactly(read, size + (size & 1))
        if kind == b"fmt ":
            audio_format, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if audio_format != 1 or channels != 1 or bits != 16:
                raise ValueError("not 16-bit mono PCM")


def _exactly(read, count: int) -> bytes:
    data = b""
    while len(data) < count:
        more = read(count - len(data))
        if not more:
            raise ValueError("the stream ended inside its header")
        data += more
    return data


def louder(pcm: bytes, gain: float) -> bytes:
    """The samples times `gain` (a volume step), clipped to 16 bits."""
    if gain == 1.0:
        return pcm
    import numpy as np  # already loaded by the search index; imported here so the speech modules load light
    samples = np.frombuffer(pcm[:len(pcm) - len(pcm) % SAMPLE_BYTES], dtype="<i2").astype(np.float32) * gain
    return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()
