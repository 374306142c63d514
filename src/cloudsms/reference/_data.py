"""Reading the package's data files.

Plain ``open`` beside this module rather than ``importlib.resources``: the latter
costs more to import than all of the reference data takes to read, and cloudsms is
installed as files, never run from a zip archive.
"""

from __future__ import annotations

import json
import os

__all__ = ["read_json"]

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def read_json(name: str) -> object:
    """Return the decoded JSON of the package data file ``name``."""
    with open(os.path.join(DATA_DIR, name), encoding="utf-8") as f:
        return json.load(f)
