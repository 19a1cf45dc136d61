"""`python -m mock_backoffice`: serve the mock in the foreground (also behind `ecom-privacy mock`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from werkzeug.serving import make_server

from .app import create_app
from .context import world_of
from .fleetfile import write_fleet
from .seed import SeedError, load_default_seed, load_seed_file, parse_seed
from .server import url_host


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mock_backoffice",
        description="Mock Lightspeed eCom backoffice and storefront serving many stores at once.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8800, help="port to bind, 0 = any free port (default: 8800)")
    parser.add_argument("--seed", type=Path, help="seed YAML (default: the built-in three-store seed)")
    parser.add_argument(
        "--write-fleet",
        type=Path,
        metavar="PATH",
        help="write a fleet YAML for the seeded stores to PATH and their secrets to .env beside it",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        raw = load_seed_file(args.seed) if args.seed else load_default_seed()
        app = create_app(parse_seed(raw))
    except SeedError as exc:
        print(f"mock_backoffice: invalid seed: {exc}", file=sys.stderr)
        return 2
    try:
        server = make_server(args.host, args.port, app, threaded=True)
    except OSError as exc:
        print(f"mock_backoffice: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1

    # The real port is only known after binding (port 0), and the fleet file must carry it.
    base_url = f"http://{url_host(args.host)}:{server.server_port}"
    world = world_of(app)
    if args.write_fleet:
        fleet_path, env_path = write_fleet(world, base_url, args.write_fleet)
        print(f"fleet file: {fleet_path}\nsecrets:    {env_path}")
    print(f"mock backoffice listening on {base_url}")
    for store in world.stores.values():
        totp = ", totp" if store.user.totp_secret else ""
        print(f"  {store.id:<20} {store.locale}{totp:<6}  {base_url}/{store.id}/admin  {base_url}/{store.id}/")
    print("credentials: in the seed file (or use --write-fleet for a fleet file + .env)")
    print(f"control: {base_url}/__mock__/state  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
