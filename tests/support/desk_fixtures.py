"""Staff desk fixtures (imported by each test module: a second conftest.py would shadow tests/conftest.py)."""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from staffdesk.cli import create_kiosk, create_staff
from staffdesk.core.migrate import upgrade
from tools.pg_cluster import PgCluster, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long test password"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    """Started here, for this run only; no test is skipped when PostgreSQL is missing: it fails, naming the fix."""
    # Its own folder under /tmp: pytest's temporary folders are private to root, and postgres must enter it.
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


def new_database(backend: str, pg_cluster: PgCluster, folder: Path) -> str:
    url = pg_cluster.new_database() if backend == "postgresql" else f"sqlite:///{folder / 'desk.sqlite'}"
    upgrade(url)
    return url


class DeskServer:
    """`python -m staffdesk serve` in a subprocess, as an administrator starts it."""

    def __init__(self, url: str, data_dir: Path, cookie_secure: bool = False, **env):
        self.db_url, self.data_dir = url, data_dir
        self.port = free_port()
        self.env = {**os.environ, "STAFFDESK_DATA_DIR": str(data_dir),
                    "STAFFDESK_COOKIE_SECURE": "yes" if cookie_secure else "no", **env}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "DeskServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([sys.executable, "-m", "staffdesk", "serve", "--db", self.db_url,
                                         "--port", str(self.port)], cwd=ROOT, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=open(self.data_dir / "server.log", "ab"))
        wait_for_port(self.port)
        return self

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()


@dataclasses.dataclass
class Centre:
    """A centre of its own for one test: its staff, its kiosks and its queue see nobody else's."""
    server: DeskServer
    name: str
    staff_name: str
    kiosk_names: list[str]
    tokens: list[str]

    def add_kiosk(self) -> str:
        name = f"kiosk-{next(_names)}"
        token = create_kiosk(self.server.db_url, name, self.name)
        self.kiosk_names.append(name)
        self.tokens.append(token)
        return token


def make_centre(server: DeskServer, kiosks: int = 1) -> Centre:
    number = next(_names)
    centre = Centre(server, f"Centre {number}", f"staff-{number}", [], [])
    create_staff(server.db_url, centre.staff_name, PASSWORD, centre.name)
    for _ in range(kiosks):
        centre.add_kiosk()
    return centre


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def desk_server(request, pg_cluster, tmp_path_factory):
    """One server per database for the API tests; every test makes its own centre on it."""
    folder = tmp_path_factory.mktemp(request.param)
    server = DeskServer(new_database(request.param, pg_cluster, folder), folder).start()
    server.backend = request.param
    yield server
    server.stop()


@pytest.fixture
def centre(desk_server) -> Centre:
    return make_centre(desk_server, kiosks=2)


def kiosk_http(server: DeskServer, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=10)


class StaffBrowser:
    """A staff member's console session over plain HTTP: the same login form and CSRF token as the page."""

    def __init__(self, server: DeskServer, name: str, password: str = PASSWORD):
        self.http = httpx.Client(base_url=server.url, timeout=10, follow_redirects=False)
        form = self.http.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        self.login_response = self.http.post("/login", data={"name": name, "password": password,
                                                              "csrf_token": token})
        self.csrf = None
        if self.login_response.status_code == 303:
            page = self.http.get("/console")
            self.csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)

    def act(self, path: str, body: dict | None = None, csrf: bool = True) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.post(path, json=body or {}, headers=headers)

    def state(self, view: str = "console") -> dict:
        response = self.http.get("/console/state", params={"view": view})
        response.raise_for_status()
        return response.json()


@pytest.fixture
def staff_of():
    browsers = []

    def log_in(centre: Centre, password: str = PASSWORD) -> StaffBrowser:
        browser = StaffBrowser(centre.server, centre.staff_name, password)
        browsers.append(browser)
        return browser

    yield log_in
    for browser in browsers:
        browser.http.close()


@pytest.fixture
def desk_settings(settings):
    """The test kiosk.ini's settings pointed at a desk (url, token); the state folder is the test's own."""
    def point_at(server: DeskServer | None, token: str = "", url: str | None = None, heartbeat_s: int = 30):
        desk = dataclasses.replace(settings.staffdesk, url=url if url is not None else server.url, token=token,
                                   heartbeat_s=heartbeat_s, timeout_s=2)
        return dataclasses.replace(settings, staffdesk=desk)
    return point_at


def wait_for(condition, timeout_s: float = 10.0):
    """The condition's first true value, polled until the timeout (the desk answers asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("the condition did not come true in time")


# Debian's chromium, driven by Playwright for the console's pages.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
