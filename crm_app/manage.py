"""Operator commands: `python -m crm_app.manage <command>`.

  migrate                 apply database migrations
  seed-demo               seed the demo workspace into an empty CRM
  generate-key            print a new token encryption key (for TOKEN_ENCRYPTION_KEYS)
  rotate-keys             re-encrypt every stored token under the first key of TOKEN_ENCRYPTION_KEYS
  check                   validate the configuration and exit
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_app.manage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["migrate", "seed-demo", "generate-key", "rotate-keys", "check"])
    args = parser.parse_args(argv)

    from crm_app.settings import SettingsError, get_settings

    if args.command == "generate-key":
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode())
        return 0
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "check":
        print(f"Configuration OK (mode: {settings.app_mode}, database: {settings.db_url.split('://', 1)[0]})")
        return 0
    if args.command == "migrate":
        from crm_app.migrations import upgrade

        upgrade()
        print("Database is up to date.")
        return 0
    if args.command == "seed-demo":
        from crm_app.services.demo import seed_demo_workspace

        print("Seeded the demo workspace." if seed_demo_workspace() else "The CRM already has data; nothing seeded.")
        return 0
    if args.command == "rotate-keys":
        from crm_app.microsoft.vault import rotate_all

        n = rotate_all()
        print(f"Re-encrypted {n} stored secret(s) under the newest key.")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
