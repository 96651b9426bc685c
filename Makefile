# The kiosk's two commands, `make demo` and `make test`, each installing what it needs on a fresh
# Debian 12 machine (run as root): Debian packages, then a virtualenv with the project in it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILD := build
SCREEN := 1280x800x24
# Xvfb with GLX, as Kivy's own CI runs it; -a picks a free display number.
XVFB_RUN := xvfb-run -a -s "-screen 0 $(SCREEN) +extension GLX"

# What the kiosk and its tests need from Debian. Later capabilities add their packages here.
APT_PACKAGES := python3 python3-venv python3-dev xvfb xauth x11vnc libgl1-mesa-dri libegl-mesa0 \
	libmtdev1 xsel fonts-materialdesignicons-webfont zbar-tools fonts-dejavu-core poppler-utils \
	pcscd libpcsclite-dev vsmartcard-vpcd swig gcc procps \
	cups cups-ipp-utils cups-client cups-bsd libcups2-dev dbus-daemon \
	sane-utils libsane-dev libsane1 tesseract-ocr tesseract-ocr-lav dosfstools \
	postgresql chromium tzdata xdotool softhsm2 libnss3-tools opensc espeak-ng alsa-utils nginx-light iproute2

# What `make deb` needs from Debian: debian/control's Build-Depends (dpkg-buildpackage names any missing), lintian,
# and mmdebstrap for the install tests in tests/deploy/ (a fresh Debian 12 root).
DEB_PACKAGES := debhelper dh-virtualenv dh-exec build-essential dpkg-dev python3 python3-dev python3-venv gcc \
	pkg-config swig libpcsclite-dev libcups2-dev libsane-dev lintian mmdebstrap git

.PHONY: demo test screenshots bench translations deps venv clean deb packages

demo: deps venv
	@bash tools/demo.sh

# Several pytest processes side by side, each with its own Xvfb and TMPDIR, each printed whole when it ends; exit 1
# if any failed (tools/run_tests.py says what they share and how it is kept apart): the card tests (one card
# reader, one process), the kiosk's other tests and the staff desk's (two workers each), tests/deploy; the
# whole-visit tests walk every object in memory and measure what a visit leaves there, so they run in a process of
# their own before the card tests, away from what hundreds of earlier tests left behind. Logs: build/test-logs/.
test: deps venv
	$(BIN)/python tools/run_tests.py --venv $(VENV) --logs $(BUILD)/test-logs \
		--xvfb-args "-screen 0 $(SCREEN) +extension GLX"

screenshots: deps venv
	$(XVFB_RUN) $(BIN)/python -m tools.screenshots $(BUILD)/screenshots

# Every bench in bench/, each printing its figures; `make bench BENCH_ARGS=--quick` runs each briefly, as
# tests/test_benches.py does, to see that they all still run.
bench: deps venv
	$(XVFB_RUN) $(BIN)/python bench/startup.py $(BENCH_ARGS)
	$(XVFB_RUN) $(BIN)/python bench/search.py $(BENCH_ARGS)
	$(BIN)/python bench/search_quality.py $(BENCH_ARGS)
	pgrep -x pcscd >/dev/null || (pcscd --foreground >/dev/null 2>&1 &) ; sleep 1
	$(XVFB_RUN) $(BIN)/python bench/soak.py $(BENCH_ARGS)
	$(XVFB_RUN) $(BIN)/python bench/browser.py $(BENCH_ARGS)
	$(BIN)/python bench/eid.py $(BENCH_ARGS)
	$(BIN)/python bench/printing.py $(BENCH_ARGS)
	$(BIN)/python bench/scan.py $(BENCH_ARGS)
	$(BIN)/python bench/staffdesk.py $(BENCH_ARGS)
	$(BIN)/python bench/desk_statistics.py $(BENCH_ARGS)
	$(BIN)/python bench/fleet.py $(BENCH_ARGS)
	$(BIN)/python bench/speech.py $(BENCH_ARGS)

# New messages from the code go into every catalogue; translators then fill in their msgstr lines.
translations: venv
	mkdir -p $(BUILD)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location --omit-header \
		-o $(BUILD)/kiosk.pot .
	$(BIN)/pybabel update -i $(BUILD)/kiosk.pot -d kiosk/locale -D kiosk --no-fuzzy-matching \
		--width 110

# The Debian packages kac-kiosk and kac-staffdesk (debian/), built from a copy of this checkout's files (tracked or
# new, not ignored) so the tree others work in stays as it is, into build/*.deb; then lintian, whose report is
# build/lintian.txt: any error fails the target.
deb: packages
	lintian --fail-on error $(BUILD)/kac-kiosk_*.deb $(BUILD)/kac-staffdesk_*.deb > $(BUILD)/lintian.txt 2>&1; \
	status=$$?; \
	echo "lintian: $$(grep -c '^E:' $(BUILD)/lintian.txt) errors, $$(grep -c '^W:' $(BUILD)/lintian.txt) warnings \
	(all in $(BUILD)/lintian.txt)"; \
	grep '^E:' $(BUILD)/lintian.txt; \
	exit $$status

# The packages alone, without lintian (tests/deploy runs lintian beside its install tests). DEB_COMPRESSION is
# dpkg-deb's: xz for the packages centres download, gzip -1 for the test builds (a minute less of processor time;
# the same files inside).
DEB_COMPRESSION ?= -Zxz -z1
packages:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf - \
		| tar -xf - -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && DEB_COMPRESSION="$(DEB_COMPRESSION)" dpkg-buildpackage -b -us -uc
	rm -f $(BUILD)/kac-kiosk_*.deb $(BUILD)/kac-staffdesk_*.deb
	mv $(BUILD)/deb/kac-kiosk_*.deb $(BUILD)/deb/kac-staffdesk_*.deb $(BUILD)/
	rm -rf $(BUILD)/deb

deps: $(BUILD)/.deps

$(BUILD)/.deps: Makefile
	@mkdir -p $(BUILD)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@touch $@

venv: $(BUILD)/.venv

$(BUILD)/.venv: pyproject.toml $(BUILD)/.deps
	@mkdir -p $(BUILD)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

clean:
	rm -rf $(BUILD) $(VENV) *.egg-info
