"""fsync by path, for files and for directories (a new or renamed name survives a crash only once its
directory is synced). Shared by the WARC store, the text store and the WACZ writer."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
