"""A small local e-service for the browser tests: a form with text and digit fields, an upload, a download."""

from __future__ import annotations

import html
import threading
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fpdf import FPDF

# Everything the tests touch sits at a fixed place in the page (CSS pixels from the page's top left), so a test can
# tap it on the screen as a resident would; the page's colour tells it apart from the kiosk's own pages.
PAGE_COLOUR = (255, 238, 170)
PLACES = {"name": (40, 40), "phone": (40, 120), "attachment": (40, 200), "send": (40, 280), "decision": (40, 360),
          "elsewhere": (40, 440), "print": (40, 520)}
FORM = """<!doctype html><html><head><meta charset="utf-8"><title>Iesniegums</title>
<style>body {{ margin: 0; background: rgb(255, 238, 170); font: 20px sans-serif; }}
  .at {{ position: absolute; width: 320px; height: 48px; font-size: 20px; }}</style></head><body>
<form method="post" action="/submit" enctype="multipart/form-data">
  <input class="at" id="name" name="name" type="text" style="left: 20px; top: 16px">
  <input class="at" id="phone" name="phone" type="tel" style="left: 20px; top: 96px">
  <input class="at" id="attachment" name="attachment" type="file" style="left: 20px; top: 176px">
  <button class="at" id="send" type="submit" style="left: 20px; top: 256px">Iesniegt</button>
</form>
<a class="at" id="decision" href="/decision" style="left: 20px; top: 336px">Lēmums (PDF)</a>
<a class="at" id="elsewhere" href="{elsewhere}" style="left: 20px; top: 416px">Cita vietne</a>
<button class="at" id="print" onclick="window.print()" style="left: 20px; top: 496px">Drukāt</button>
</body></html>"""


def decision_pdf() -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=20)
    document.cell(text="Decision No. 42: granted")
    return bytes(document.output())


class EServiceSite:
    """Serves the form on 127.0.0.1; `elsewhere` is an address on another host, which the kiosk must not open."""

    def __init__(self):
        self.submitted: list[dict] = []
        self.requests: list[dict] = []  # host, path and cookie of every request that reached the site
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass  # the tests' output stays readable

            def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _note(self) -> None:
                site.requests.append({"host": self.headers.get("Host", ""), "path": self.path,
                                      "cookie": self.headers.get("Cookie", "")})

            def do_GET(self):
                self._note()
                if self.path == "/decision":
                    self._send(200, decision_pdf(), "application/pdf",
                               {"Content-Disposition": "attachment; filename=\"lemums-42.pdf\""})
                else:  # a session cookie, as every e-service sets one: the next visit must not bring it back
                    self._send(200, FORM.format(elsewhere=site.elsewhere).encode(), "text/html; charset=utf-8",
                               {"Set-Cookie": "session=resident-1; Path=/; Max-Age=86400"})

            def do_POST(self):
                self._note()
                body = self.rfile.read(int(self.headers["Content-Length"]))
                message = BytesParser(policy=email_policy).parsebytes(
                    b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
                fields, files = {}, {}
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if part.get_filename() is not None:
                        files[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
                    else:
                        fields[name] = (part.get_payload(decode=True) or b"").decode("utf-8").strip()
                filename, content = files.get("attachment", ("", b""))
                site.submitted.append({"name": fields.get("name", ""), "phone": fields.get("phone", ""),
                                       "file": filename, "size": len(content)})
                self._send(200, f"<h1 id='done'>Saņemts: {html.escape(fields.get('name', ''))}</h1>".encode(),
                           "text/html; charset=utf-8")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.elsewhere = f"http://localhost:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, name="eservice-site", daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
