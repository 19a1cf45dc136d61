"""`python -m mock_backoffice`: serve the mock in the foreground (also behind `ecom-privacy mock`)."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from .app import create_app
from .context import identity_app_of, world_of
from .fleetfile import write_fleet
from .seed import SeedError, load_default_seed, load_seed_file, parse_seed
from .server import RedactingRequestHandler, base_url, bind_identity, listen, publish_urls


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mock_backoffice",
        description="Mock Lightspeed eCom backoffice and storefront serving many stores at once.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8800, help="port to bind, 0 = any free port (default: 8800)")
    parser.add_argument(
        "--id-port",
        type=int,
        help="port of the identity service (the login pages, another origin); 0 = any free port "
             "(default: the first free port after --port)",
    )
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
    # The request log never shows the one-time tokens and codes of the login chain (they travel in URLs).
    handler = RedactingRequestHandler
    try:
        server = listen(args.host, args.port, app, handler)
    except OSError:
        print(f"mock_backoffice: cannot listen on {args.host}:{args.port} (--port)", file=sys.stderr)
        return 1
    id_port = args.id_port if args.id_port is not None else (0 if args.port == 0 else None)
    try:
        id_server = bind_identity(args.host, id_port, server.server_port, identity_app_of(app), handler)
    except OSError:
        server.server_close()
        print(f"mock_backoffice: cannot listen on {args.host}:{args.id_port} (--id-port)", file=sys.stderr)
        return 1

    # The real ports are only known after binding (port 0), and the fleet file and redirects must carry them.
    publish_urls(app, server, id_server, args.host)
    stores_url = base_url(args.host, server.server_port)
    world = world_of(app)
    if args.write_fleet:
        fleet_path, env_path = write_fleet(world, stores_url, args.write_fleet)
        print(f"fleet file: {fleet_path}\nsecrets:    {env_path}")
    print(f"mock backoffice listening on {stores_url}")
    print(f"identity service (login) on {base_url(args.host, id_server.server_port)}")
    for store in world.stores.values():
        flags = ", totp" if store.account.two_step else ""
        flags += ", bot check" if store.bot_challenge else ""
        print(f"  {store.id:<20} {store.locale}{flags:<17}  {stores_url}/{store.id}/admin  {stores_url}/{store.id}/")
    print("credentials: in the seed file (or use --write-fleet for a fleet file + .env)")
    print(f"control: {stores_url}/__mock__/state  (Ctrl-C to stop)", flush=True)
    identity_thread = threading.Thread(target=id_server.serve_forever, name="mock-identity", daemon=True)
    identity_thread.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        id_server.shutdown()
        id_server.server_close()
        server.server_close()
    return 0
