"""The sound of the kiosk's own phrases, kept in state_dir across visits: never anything of a resident.

The service stores only phrases its caller marked as the kiosk's own (kiosk_text); a file is named by a hash of
the voice, speed and text, so the folder shows no words, and a new engine version or model makes new names.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from kiosk.speech.audio import Audio, read_wav

log = logging.getLogger(__name__)

SUFFIX = ".wav"


class PhraseCache:
    """Synthesized kiosk phrases as WAV files in one folder, the least recently used removed beyond `max_bytes`."""

    def __init__(self, folder: Path, max_bytes: int = 256 * 1024 * 1024):
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self._size: int | None = None  # counted on the first store
        self._lock = threading.Lock()

    @staticmethod
    def key(voice_identity: str, language: str, rate: int, text: str) -> str:
        return hashlib.sha256("\0".join((voice_identity, language, str(rate), text)).encode("utf-8")).hexdigest()

    def get(self, key: str) -> Audio | None:
        path = self.folder / (key + SUFFIX)
        try:
            audio = read_wav(path.read_bytes())
            os.utime(path)  # recently used: kept longest
            return audio
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:  # a file cut short by a power loss: made again
            log.warning("speech cache: an unreadable entry is removed (%s)", type(error).__name__)
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, audio: Audio) -> None:
        data = audio.wav()
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = self.folder / f".{key}.{threading.get_ident()}.part"
            temporary.write_bytes(data)
            os.replace(temporary, self.folder / (key + SUFFIX))  # whole or not at all, for a concurrent reader
        except OSError as error:  # a full or read-only state_dir: the kiosk speaks on, only slower
            log.warning("speech cache: a phrase could not be stored (%s)", error.strerror or type(error).__name__)
            return
        with self._lock:
            if self._size is None:
                self._size = sum(size for _, size, _ in self._entries())
            else:
                self._size += len(data)
            if self._size > self.max_bytes:
                self._prune()

    def keys(self) -> set[str]:
        return {path.name[:-len(SUFFIX)] for path in self.folder.glob("*" + SUFFIX)}

    def _entries(self) -> list[tuple[float, int, Path]]:
        entries = []
        for path in self.folder.glob("*" + SUFFIX):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        return entries

    def _prune(self) -> None:
        """Down to three quarters of the limit, the least recently used first, so pruning is rare."""
        entries = sorted(self._entries())
        size = sum(size for _, size, _ in entries)
        for _, entry_size, path in entries:
            if size <= self.max_bytes * 3 // 4:
                break
            path.unlink(missing_ok=True)
            size -= entry_size
        self._size = size
