"""Playing speech through aplay (alsa-utils): one process per utterance, fed samples as they are made, killed to
stop the sound at once.

aplay is in every Debian, needs no sound server and reaches PulseAudio or PipeWire through their ALSA plugins where
a desktop has them; Kivy's SDL audio is not for the core, which has no Kivy.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import threading

PIPE_BYTES = 8192
# aplay's own buffer, in microseconds: a quarter of a second is ample for speech fed faster than it plays.
BUFFER_US = 250000


class NoSoundOutput(Exception):
    """Nothing can be played: no aplay, or no device it can open (no sound card); a sentence for the log."""


class Playback:
    """One utterance's aplay, playing 16-bit mono samples written to it."""

    def __init__(self, command: list[str]):
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.PIPE)
        except OSError as error:
            raise NoSoundOutput(f"aplay cannot be started ({error.strerror})") from None
        try:
            # A fifth of a second of speech waits in the pipe, not a pipe's usual one and a half: a new volume
            # step is heard that much sooner.
            fcntl.fcntl(self._process.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:
            pass  # a kernel without F_SETPIPE_SZ: the volume only changes later
        self._aborted = threading.Event()

    def write(self, pcm: bytes) -> None:
        """Blocks while the device is full, as a sound card plays in real time; returns at once once aborted."""
        if self._aborted.is_set():
            return
        try:
            self._process.stdin.write(pcm)
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):  # aplay is gone: killed by abort(), or it could not open the device
            if not self._aborted.is_set():
                self._process.wait()
                raise NoSoundOutput(self._complaint()) from None

    def finish(self) -> None:
        """Waits until everything written has been played."""
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass  # aplay ended early: its exit status says why
        self._process.wait()
        if self._process.returncode != 0 and not self._aborted.is_set():
            raise NoSoundOutput(self._complaint())

    def abort(self) -> None:
        """Stops the sound now; safe from any thread, and again."""
        self._aborted.set()
        if self._process.poll() is None:
            self._process.kill()

    def close(self) -> None:
        self.abort()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stderr):
            try:
                stream.close()
            except BrokenPipeError:
                pass

    def _complaint(self) -> str:
        lines = self._process.stderr.read().decode("utf-8", "replace").splitlines()
        # "aplay: main:831: audio open error: No such file or directory" -> what the administrator needs
        said = [re.sub(r"^aplay: \w+:\d+: ", "", line) for line in lines if line.startswith("aplay:")]
        return f"aplay: {(said or lines or ['exit status %d' % self._process.returncode])[-1]}"


class AplayPlayer:
    """Starts a Playback on one ALSA device ('' for the system's default)."""

    def __init__(self, device: str = ""):
        self.device = device

    def describe(self) -> str:
        return f"the ALSA device '{self.device or 'default'}'"

    def problem(self) -> str | None:
        if shutil.which("aplay") is None:
            return "aplay is not installed ('apt install alsa-utils')"
        return None

    def open(self, rate: int) -> Playback:
        problem = self.problem()
        if problem:
            raise NoSoundOutput(problem)
        device = ["-D", self.device] if self.device else []
        return Playback(["aplay", "-q", *device, f"--buffer-time={BUFFER_US}", "-t", "raw", "-f", "S16_LE", "-c", "1",
                         "-r", str(rate), "-"])

    def check(self) -> str | None:
        """Plays a twentieth of a second of silence; None when the device takes it, else what is wrong."""
        try:
            playback = self.open(22050)
            try:
                playback.write(bytes(2205))
                playback.finish()
            finally:
                playback.close()
        except NoSoundOutput as problem:
            return str(problem)
        return None
