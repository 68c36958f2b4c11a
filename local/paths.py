"""Where things are, and making functions/ importable the way Lambda sees it (handler strings)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
WEB_DIR = ROOT / "web"
DEFAULT_DATA_DIR = ROOT / ".local-data"


def add_functions_to_path() -> None:
    """The handler strings in studio.routes are relative to functions/ (the Lambda asset root)."""
    path = str(FUNCTIONS_DIR)
    if path not in sys.path:
        sys.path.insert(0, path)
