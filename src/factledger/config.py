"""Settings: where the ledger lives, which database it uses and who is acting.

Precedence, highest first: command-line flags, environment variables (FACTLEDGER_HOME,
FACTLEDGER_DATABASE_URL, FACTLEDGER_STORE, FACTLEDGER_REVIEWER), ``factledger.toml`` in the home
directory, defaults.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

CONFIG_FILENAME = "factledger.toml"
DEFAULT_PUBLISHER_NAME = "factledger"
DEFAULT_PUBLISHER_URL = "https://example.org"
DEFAULT_INGEST_MAX_BYTES = 5 * 1024 * 1024


class ConfigError(Exception):
    """The configuration file cannot be read; the message is user-facing."""


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    reviewer: str
    options: dict[str, Any] = field(default_factory=dict)
    # Where captures live: an S3 URL (s3://bucket/prefix) or a directory; None: ``warcs/`` and ``text/``
    # in the home.
    store: str | None = None

    # Who publishes the verdicts: the author and the review URLs of `export claimreview`.
    @property
    def publisher_name(self) -> str:
        return self._text_option("publisher_name", DEFAULT_PUBLISHER_NAME)

    @property
    def publisher_url(self) -> str:
        return self._text_option("publisher_url", DEFAULT_PUBLISHER_URL).rstrip("/")

    @property
    def publisher_is_placeholder(self) -> bool:
        """True while either publisher setting is its default: reviews would name no real publisher."""
        return self.publisher_name == DEFAULT_PUBLISHER_NAME or self.publisher_url == DEFAULT_PUBLISHER_URL

    @property
    def claimreview_base_url(self) -> str:
        return self._text_option("claimreview_base_url", self.publisher_url + "/claims").rstrip("/")

    # The archiver. Private networks stay off limits unless the operator says otherwise.
    @property
    def allow_private_networks(self) -> bool:
        value = self.options.get("allow_private_networks", False)
        if not isinstance(value, bool):
            raise ConfigError(
                f"{CONFIG_FILENAME}: allow_private_networks must be true or false, got {value!r}"
            )
        return value

    @property
    def recheck_days(self) -> float:
        value = self.options.get("recheck_days", 30)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{CONFIG_FILENAME}: recheck_days must be a positive number, got {value!r}")
        return float(value)

    # Sends dead source URLs to the Internet Archive's availability API, so it is opt-in.
    @property
    def wayback_lookup(self) -> bool:
        value = self.options.get("wayback_lookup", False)
        if not isinstance(value, bool):
            raise ConfigError(f"{CONFIG_FILENAME}: wayback_lookup must be true or false, got {value!r}")
        return value

    # The largest document `ingest` reads, in bytes (a file's size, a page's text): a 20 MB text took
    # minutes and most of a gigabyte; an article is tens of kilobytes, a long report a few megabytes.
    @property
    def ingest_max_bytes(self) -> int:
        value = self.options.get("ingest_max_bytes", DEFAULT_INGEST_MAX_BYTES)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(
                f"{CONFIG_FILENAME}: ingest_max_bytes must be a positive whole number, got {value!r}"
            )
        return value

    def _text_option(self, key: str, default: str) -> str:
        value = self.options.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{CONFIG_FILENAME}: {key} must be a non-empty string, got {value!r}")
        return value.strip()


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("factledger", appauthor=False))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getuser raises when neither env vars nor the passwd entry exist (containers)
        return f"uid-{os.getuid()}"


def _read_config_file(home: Path) -> dict[str, Any]:
    path = home / CONFIG_FILENAME
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


def load_settings(
    home: str | Path | None = None,
    database_url: str | None = None,
    reviewer: str | None = None,
    environ: dict[str, str] | None = None,
    store: str | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    home_path = Path(home or env.get("FACTLEDGER_HOME") or default_home()).expanduser()
    file_options = _read_config_file(home_path)
    url = (
        database_url
        or env.get("FACTLEDGER_DATABASE_URL")
        or file_options.get("database_url")
        or f"sqlite:///{home_path / 'ledger.sqlite3'}"
    )
    who = reviewer or env.get("FACTLEDGER_REVIEWER") or file_options.get("reviewer") or _os_user()
    where = store or env.get("FACTLEDGER_STORE") or file_options.get("store")
    if where is not None and (not isinstance(where, str) or not where.strip()):
        raise ConfigError(f"{CONFIG_FILENAME}: store must be an s3:// URL or a directory, got {where!r}")
    return Settings(
        home=home_path,
        database_url=str(url),
        reviewer=str(who),
        options=file_options,
        store=where.strip() if where else None,
    )


def bundled_data_dir() -> Path:
    """The sample articles and demo inputs: inside the installed wheel, or ``data/`` in a checkout."""
    package_root = Path(__file__).resolve().parent
    for candidate in (package_root / "data", package_root.parent.parent / "data"):
        if (candidate / "articles").is_dir():
            return candidate
    raise ConfigError("factledger's bundled data/ directory is missing from this installation")
