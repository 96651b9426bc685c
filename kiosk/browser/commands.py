"""`kiosk browser policies` and `kiosk browser register-eid`: setting up the resident's browser on a kiosk."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.config import load_settings

EXIT_OK, EXIT_FAILED = 0, 1


def cmd_policies(args: argparse.Namespace) -> int:
    from kiosk.browser.policies import POLICY_FILE, policies_for, policy_text
    from kiosk.catalog import load_configured
    settings = load_settings(args.config)
    text = policy_text(policies_for(settings, load_configured(settings).catalog))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"The policies are in {args.out}; Chromium reads them as "
              f"{settings.browser.policies_dir / POLICY_FILE}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_register_eid(args: argparse.Namespace) -> int:
    from kiosk.browser.nss import NssError, module_state, nss_db, register_module
    settings = load_settings(args.config)
    module = settings.browser.pkcs11_module
    if module is None:
        print(f"{settings.path}: section [browser] names no pkcs11_module: there is nothing to register.",
              file=sys.stderr)
        return EXIT_FAILED
    db = nss_db(settings.browser.home)
    try:
        register_module(module, db)
    except NssError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    loads, line = module_state(db)
    print(line)
    return EXIT_OK if loads else EXIT_FAILED


def add_browser_commands(commands) -> None:
    browser = commands.add_parser("browser", help="the browser for doing e-services on this computer")
    actions = browser.add_subparsers(dest="browser_command", required=True)
    policies = actions.add_parser("policies", help="print Chromium's managed policies for this kiosk "
                                                   "(for /etc/chromium/policies/managed/kac-kiosk.json)")
    policies.add_argument("--out", help="write them to this file instead")
    policies.add_argument("--config", help="path of kiosk.ini")
    policies.set_defaults(handler=cmd_policies)
    register = actions.add_parser("register-eid", help="register [browser] pkcs11_module in this user's NSS "
                                                       "database ($HOME/.pki/nssdb), where Chromium finds it")
    register.add_argument("--config", help="path of kiosk.ini")
    register.set_defaults(handler=cmd_register_eid)
