"""Mock Lightspeed eCom backoffice and storefront: the "outside world" the tool is tested against.

It never imports from `automation/` or `flows/`: sharing selectors or labels with the tool would let a
wrong label pass.
"""

from .app import create_app
from .context import world_of
from .fleetfile import write_fleet
from .seed import SeedError, load_seed_file, parse_seed
from .server import MockServer

__all__ = ["MockServer", "SeedError", "create_app", "load_seed_file", "parse_seed", "world_of", "write_fleet"]
