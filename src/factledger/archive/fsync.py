"""fsync by path, for files and for directories: the one implementation lives in ``factledger.files``
(below every layer, so the exports can use it too); the WARC store, the text store and the repair
import it from here."""

from __future__ import annotations

from factledger.files import fsync_path

__all__ = ["fsync_path"]
