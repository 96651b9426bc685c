"""The offline voices: espeak-ng (Debian main), and RHVoice and Piper where installed; text in, samples out.

Text reaches an engine on its standard input or in memory, never on a command line (which any local user can
read in `ps`) and never in a file.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Iterator

from kiosk.speech.audio import SAMPLE_BYTES, Audio, read_wav, stream_header


class SpeechUnavailable(Exception):
    """A voice cannot speak; the message is for the administrator and never holds the text."""


class EspeakNg:
    """espeak-ng: formant voices, robotic but clear, for Latvian, Ukrainian and English; far faster than real time."""
    name = "espeak-ng"
    NORMAL_WPM = 175  # espeak-ng's own default speed

    def __init__(self, program: str = "espeak-ng"):
        self.program = program
        self._version: str | None = None

    def problem(self, voice: str) -> str | None:
        if shutil.which(self.program) is None:
            return "espeak-ng is not installed ('apt install espeak-ng')"
        return None

    def identity(self, voice: str) -> str:
        if self._version is None:
            try:
                answer = subprocess.run([self.program, "--version"], capture_output=True, text=True, timeout=10)
                self._version = answer.stdout.split("text-to-speech:")[-1].split()[0]
            except (OSError, subprocess.TimeoutExpired, IndexError):
                self._version = "unknown"
        return f"espeak-ng {self._version} {voice}"

    def stream(self, text: str, voice: str, rate: int) -> Iterator[Audio]:
        """Samples as espeak-ng makes them, clause by clause, so playing can start before the text is done."""
        problem = self.problem(voice)
        if problem:
            raise SpeechUnavailable(problem)
        words_per_minute = max(80, min(450, round(self.NORMAL_WPM * rate / 100)))
        # -b 1: the text is UTF-8 whatever the kiosk user's locale says.
        process = subprocess.Popen([self.program, "-b", "1", "-v", voice, "-s", str(words_per_minute), "--stdout"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # Kiosk texts are far below a pipe's 64 KiB, so this cannot block while espeak-ng waits to write.
            try:
                process.stdin.write(text.encode("utf-8"))
                process.stdin.close()
            except BrokenPipeError:
                pass  # espeak-ng ended at once (an unknown voice): its complaint is read below
            output = process.stdout.fileno()
            try:
                sample_rate = stream_header(lambda count: os.read(output, count))
            except ValueError:
                process.wait(timeout=10)
                raise SpeechUnavailable(f"espeak-ng gave no sound for the voice '{voice}'"
                                        f"{_said(process.stderr.read())}") from None
            odd = b""
            while chunk := os.read(output, 65536):
                chunk = odd + chunk
                cut = len(chunk) - len(chunk) % SAMPLE_BYTES
                odd = chunk[cut:]
                if cut:
                    yield Audio(chunk[:cut], sample_rate)
        finally:
            if process.poll() is None:
                process.kill()  # an interrupted utterance: its remaining sound is not wanted
            process.wait()
            for stream in (process.stdin, process.stdout, process.stderr):
                try:
                    stream.close()
                except BrokenPipeError:
                    pass  # unwritten text of a process that is gone


class RHVoice:
    """RHVoice (Debian non-free): natural Ukrainian and English voices, none for Latvian. Voice licences differ."""
    name = "rhvoice"

    def __init__(self, program: str = "RHVoice-test"):
        self.program = program

    def problem(self, voice: str) -> str | None:
        if shutil.which(self.program) is None:
            return "RHVoice is not installed ('apt install rhvoice' with Debian's non-free section, and its voices)"
        return None

    def identity(self, voice: str) -> str:
        program = shutil.which(self.program)
        stamp = int(Path(program).stat().st_mtime) if program else 0
        return f"rhvoice {stamp} {voice}"

    def stream(self, text: str, voice: str, rate: int) -> Iterator[Audio]:
        problem = self.problem(voice)
        if problem:
            raise SpeechUnavailable(problem)
        # RHVoice-test writes only to a file; a private folder, removed as soon as the sound is read.
        with tempfile.TemporaryDirectory(prefix="kac-speech-") as folder:
            out = Path(folder) / "speech.wav"
            try:
                answer = subprocess.run([self.program, "-p", voice, "-r", str(rate), "-o", str(out)],
                                        input=text.encode("utf-8"), capture_output=True, timeout=60)
            except subprocess.TimeoutExpired:
                raise SpeechUnavailable(f"RHVoice did not finish within 60 s with the voice '{voice}'") from None
            if answer.returncode != 0 or not out.exists():
                raise SpeechUnavailable(f"RHVoice cannot speak with the voice '{voice}'{_said(answer.stderr)}")
            try:
                audio = read_wav(out.read_bytes())
            except ValueError as error:
                raise SpeechUnavailable(f"RHVoice wrote sound that cannot be read ({error})") from None
        yield audio


class Piper:
    """Piper (pip install piper-tts): neural voices from a model file per language, loaded once and kept."""
    name = "piper"

    def __init__(self):
        self._voices: dict[str, object] = {}
        self._lock = threading.Lock()

    def problem(self, voice: str) -> str | None:
        if importlib.util.find_spec("piper") is None:
            return "Piper is not installed in the kiosk's Python ('pip install piper-tts')"
        model = Path(voice)
        if not model.is_file():
            return f"the Piper model {model} does not exist"
        if not Path(f"{voice}.json").is_file():
            return f"the Piper model's settings {model}.json are missing (they come with the model)"
        return None

    def identity(self, voice: str) -> str:
        from importlib.metadata import PackageNotFoundError, version
        try:
            release = version("piper-tts")
        except PackageNotFoundError:
            release = "unknown"
        model = Path(voice)
        stamp = f"{model.stat().st_size}-{int(model.stat().st_mtime)}" if model.is_file() else "missing"
        return f"piper {release} {voice} {stamp}"

    def stream(self, text: str, voice: str, rate: int) -> Iterator[Audio]:
        """Sentence by sentence, as Piper makes them."""
        problem = self.problem(voice)
        if problem:
            raise SpeechUnavailable(problem)
        from piper import SynthesisConfig
        model = self._model(voice)
        # The model's own pace, scaled: a longer length is slower speech.
        pace = SynthesisConfig(length_scale=model.config.length_scale * 100 / rate)
        for chunk in model.synthesize(text, syn_config=pace):
            if chunk.sample_width != SAMPLE_BYTES or chunk.sample_channels != 1:
                raise SpeechUnavailable(f"the Piper model {voice} does not give 16-bit mono sound")
            yield Audio(chunk.audio_int16_bytes, chunk.sample_rate)

    def _model(self, voice: str):
        with self._lock:  # loading takes a second or more: once per model, whoever asks first
            if voice not in self._voices:
                from piper import PiperVoice
                try:
                    self._voices[voice] = PiperVoice.load(voice)
                except Exception as error:  # onnxruntime's own errors: the model file is not a usable voice
                    raise SpeechUnavailable(f"the Piper model {voice} cannot be loaded "
                                            f"({type(error).__name__})") from None
            return self._voices[voice]


def engines() -> dict[str, object]:
    """One of each engine, by the name kiosk.ini uses."""
    return {engine.name: engine for engine in (EspeakNg(), RHVoice(), Piper())}


def _said(stderr: bytes) -> str:
    """An engine's own complaint (about the voice, never the text), for the administrator."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return f" ({lines[0][:200]})" if lines else ""
