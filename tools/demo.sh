#!/usr/bin/env bash
# Starts the demo kiosk: on this desktop's display if there is one, else on a virtual screen shown over VNC.
set -euo pipefail
cd "$(dirname "$0")/.."

# The card reader service, with vpcd's virtual readers for the demo card (never -a: it logs PINs).
if ! pgrep -x pcscd >/dev/null; then
    pcscd --foreground >/dev/null 2>&1 &
fi
cat <<TEXT
Demo eID card: in another terminal run
    .venv/bin/python -m tools.virtual_card          (Jānis Bērziņš, PIN 1234; add --ec for an EC card)
Ctrl+C there takes the card out again.
TEXT

if [ -n "${DISPLAY:-}" ]; then
    exec .venv/bin/kiosk run --demo
fi

display=":${KIOSK_DEMO_DISPLAY:-77}"
port="${KIOSK_DEMO_VNC_PORT:-5900}"
Xvfb "$display" -screen 0 1280x800x24 +extension GLX -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
vnc=
trap 'kill $xvfb $vnc 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
x11vnc -display "$display" -localhost -forever -shared -nopw -quiet -rfbport "$port" >/dev/null 2>&1 &
vnc=$!

cat <<TEXT
This machine has no display, so the kiosk runs on a virtual screen ($display, 1280x800).
To see and touch it, point a VNC viewer at localhost:$port; from another computer first run
    ssh -L $port:localhost:$port root@THIS-MACHINE
Pictures of every screen in every language: make screenshots (written to build/screenshots/).
Administrator: tap the top-left corner five times within three seconds; the demo PIN is 246810.
Stop the demo with Ctrl+C.
TEXT
DISPLAY="$display" .venv/bin/kiosk run --demo
