"""`booth console hash-password`: the line for ``[console] password_hash``.

::

    booth console hash-password            # asks twice (not echoed), prints the hash
    echo -n "$PW" | booth console hash-password --stdin
"""

from __future__ import annotations

import argparse
import getpass
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("console", help="the operator console (make its password hash)", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    csub = p.add_subparsers(dest="console_command", metavar="SUBCOMMAND", required=True)
    h = csub.add_parser("hash-password", help="print a scrypt hash for [console] password_hash")
    h.add_argument("--stdin", action="store_true", help="read the password from stdin (no prompt)")
    h.set_defaults(handler=_hash)


def _hash(args) -> int:
    from ..errors import ConfigError
    from ..console.auth import hash_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("console password: ")
        if getpass.getpass("again: ") != password:
            raise ConfigError("the two passwords differ; nothing printed. Fix: run it again")
    if len(password) < 8:
        raise ConfigError("a console password needs at least 8 characters. Fix: choose a longer one")
    line = hash_password(password)
    print(f'password_hash = "{line}"')
    return 0
