#!/usr/bin/env bash
# Starts the demo kiosk: on this desktop's display if there is one, else on a virtual screen shown over VNC.
set -euo pipefail
cd "$(dirname "$0")/.."

# The card reader service, with vpcd's virtual readers for the demo card (never -a: it logs PINs).
if ! pgrep -x pcscd >/dev/null; then
    pcscd --foreground >/dev/null 2>&1 &
fi
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
mkdir -p build/demo/desk

# The printers: a private cupsd with a fake A4 printer and a ticket printer (tools/print_lab.py).
.venv/bin/python -m tools.print_lab build/demo/print-lab >build/demo/print-lab.log 2>&1 &
pids+=($!)

# The centre's staff desk on SQLite, with this kiosk and one staff member registered the first time.
export STAFFDESK_DATA_DIR="$PWD/build/demo/desk" STAFFDESK_COOKIE_SECURE=no
if [ ! -s build/demo/desk/kiosk-token ]; then
    .venv/bin/staffdesk add-kiosk demo-kiosk-1 --centre "Demo KAC" 2>/dev/null \
        | sed -n 's/^token = //p' >build/demo/desk/kiosk-token
    printf 'kac-demo-2026\nkac-demo-2026\n' | .venv/bin/staffdesk add-staff demo --centre "Demo KAC" >/dev/null
fi
.venv/bin/staffdesk serve --host 127.0.0.1 --port 8700 >build/demo/desk.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    [ -S build/demo/print-lab/cups.sock ] && (exec 3<>/dev/tcp/127.0.0.1/8700) 2>/dev/null && break
    sleep 0.1
done
.venv/bin/python -m tools.demo_config build/demo/kiosk.ini \
    --set "cups_server=$PWD/build/demo/print-lab/cups.sock" --set a4_queue=kac-a4 \
    --set receipt_printer=cups:kac-receipt --set url=http://127.0.0.1:8700 \
    --set "token=$(cat build/demo/desk/kiosk-token)" --set require_policies=no

cat <<TEXT
Demo eID card: in another terminal run
    .venv/bin/python -m tools.virtual_card          (Jānis Bērziņš, PIN 1234; add --ec for an EC card)
Ctrl+C there takes the card out again.
Staff desk: http://127.0.0.1:8700 (user demo, password kac-demo-2026): help calls, the queue, video slots.
Printed pages land in build/demo/print-lab/received/, tickets in build/demo/print-lab/receipts/.
TEXT

if [ -n "${DISPLAY:-}" ]; then
    .venv/bin/kiosk run --demo --config build/demo/kiosk.ini
    exit
fi

display=":${KIOSK_DEMO_DISPLAY:-77}"
port="${KIOSK_DEMO_VNC_PORT:-5900}"
Xvfb "$display" -screen 0 1280x800x24 +extension GLX -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
x11vnc -display "$display" -localhost -forever -shared -nopw -quiet -rfbport "$port" >/dev/null 2>&1 &
pids+=($!)

cat <<TEXT
This machine has no display, so the kiosk runs on a virtual screen ($display, 1280x800).
To see and touch it, point a VNC viewer at localhost:$port; from another computer first run
    ssh -L $port:localhost:$port root@THIS-MACHINE
Pictures of every screen in every language: make screenshots (written to build/screenshots/).
Administrator: tap the top-left corner five times within three seconds; the demo PIN is 246810.
Stop the demo with Ctrl+C.
TEXT
DISPLAY="$display" .venv/bin/kiosk run --demo --config build/demo/kiosk.ini
