"""Chromium's managed policies for the kiosk, from kiosk.ini: defence in depth beneath the kiosk's own controls.

`kiosk browser policies` prints them for /etc/chromium/policies/managed/; `kiosk doctor` checks the installed file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kiosk.browser.hosts import AllowedHosts

POLICY_FILE = "kac-kiosk.json"

# Never opened, whatever page links to them: the browser's own pages, source views, developer tools, local files.
ALWAYS_BLOCKED = ["*", "chrome://*", "chrome-untrusted://*", "view-source:*", "devtools://*", "chrome-extension://*",
                  "file://*", "javascript://*"]


def managed_policies(allowed: AllowedHosts, login_hosts, downloads_dir: Path) -> dict:
    """The policy document. DeveloperToolsAvailability stays 1 (allowed): at 2 Playwright cannot attach to pages,
    so developer tools are kept out by URL (devtools://) and by the kiosk, which sends no key combinations."""
    return {
        "URLBlocklist": ALWAYS_BLOCKED,
        "URLAllowlist": allowed.patterns() + ["about:blank"],
        "AutoSelectCertificateForUrls": [json.dumps({"pattern": certificate_pattern(host), "filter": {}})
                                         for host in sorted(login_hosts)],
        "DeveloperToolsAvailability": 1,
        "DownloadDirectory": str(downloads_dir),
        "PromptForDownloadLocation": False,
        "AllowFileSelectionDialogs": False,  # the kiosk offers the visit's own files instead of the disk
        "PasswordManagerEnabled": False,
        "AutofillAddressEnabled": False,
        "AutofillCreditCardEnabled": False,
        "BrowserSignin": 0,
        "SyncDisabled": True,
        "IncognitoModeAvailability": 1,
        "BrowserGuestModeEnabled": False,
        "BrowserAddPersonEnabled": False,
        "PrintingEnabled": False,  # printing goes through the kiosk's print flow and page quota
        "DisablePrintPreview": True,
        "TranslateEnabled": False,
        "SearchSuggestEnabled": False,
        "MetricsReportingEnabled": False,
        "DefaultBrowserSettingEnabled": False,
        "BookmarkBarEnabled": False,
        "ShowHomeButton": False,
        "SavingBrowserHistoryDisabled": True,
        "ForceEphemeralProfiles": True,  # and the kiosk deletes each visit's profile folder itself
    }


def certificate_pattern(host: str) -> str:
    """Chromium's content pattern for a host and its subdomains (an IP address has none)."""
    is_address = host.replace(".", "").isdigit()
    return f"https://{host}" if is_address else f"https://[*.]{host}"


def policies_for(settings, catalog) -> dict:
    browser = settings.browser
    return managed_policies(AllowedHosts.for_kiosk(catalog, browser.allowed_hosts), browser.login_hosts,
                            settings.visit.runtime_dir)


def policy_text(policies: dict) -> str:
    return json.dumps(policies, indent=2, ensure_ascii=False) + "\n"


def policy_differences(settings, catalog) -> list[str] | None:
    """The policies that differ between the installed file and kiosk.ini's; None when none is installed."""
    installed = installed_policies(settings.browser.policies_dir)
    if installed is None:
        return None
    wanted = policies_for(settings, catalog)
    return sorted(key for key in set(wanted) | set(installed) if wanted.get(key) != installed.get(key))


def pages_may_open(settings, catalog) -> bool:
    """A real kiosk opens pages only under the managed policies kiosk.ini makes; `require_policies = no` (a
    developer's checkout, the tests) opens them without."""
    return not settings.browser.require_policies or policy_differences(settings, catalog) == []


def self_service_works(settings, catalog, sandbox_probe) -> bool:
    """Residents can do e-services themselves here: Chromium is installed, pages open in its sandbox
    (`sandbox_probe()`, asked only when the rest holds) and the managed policies installed are this catalogue's."""
    return (os.access(settings.browser.chromium, os.X_OK) and pages_may_open(settings, catalog)
            and sandbox_probe().usable)


def installed_policies(managed_dir: Path) -> dict | None:
    """The kiosk's policy file as installed, or None when there is none (or it is not JSON)."""
    try:
        return json.loads((managed_dir / POLICY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
