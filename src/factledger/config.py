"""Settings: where the ledger lives, which database it uses and who is acting.

Precedence, highest first: command-line flags, environment variables (FACTLEDGER_HOME,
FACTLEDGER_DATABASE_URL, FACTLEDGER_STORE, FACTLEDGER_REVIEWER), ``factledger.toml`` in the home
directory, defaults.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

CONFIG_FILENAME = "factledger.toml"
DEFAULT_PUBLISHER_NAME = "factledger"
DEFAULT_PUBLISHER_URL = "https://example.org"
DEFAULT_INGEST_MAX_BYTES = 5 * 1024 * 1024


class ConfigError(Exception):
    """The configuration file cannot be read; the message is user-facing."""


@dataclass(frozen=True)
class ConfigFile:
    """What ``factledger.toml`` may set: each field a key of the file, with its type and default.

    The file is checked against these fields when it is read: an unknown key (a misspelling, say) or a
    value of the wrong type stops the command with one line naming the key, instead of being ignored.
    """

    database_url: str | None = None
    """The ledger's SQLAlchemy URL (sqlite:///… or postgresql://…); default: ledger.sqlite3 in the home."""

    reviewer: str | None = None
    """Who is acting, when neither --as nor $FACTLEDGER_REVIEWER says; default: the OS user."""

    publisher_name: str = DEFAULT_PUBLISHER_NAME
    """Who publishes the verdicts: the author of `export claimreview`'s reviews."""

    publisher_url: str = DEFAULT_PUBLISHER_URL
    """The publisher's web address, and the base of the review URLs."""

    claimreview_base_url: str | None = None
    """Where each review lives (…/claims/ID); default: publisher_url + "/claims"."""

    allow_private_networks: bool = False
    """Let the archiver reach private, loopback and link-local addresses (as --allow-private)."""

    recheck_days: float = 30.0
    """How often a healthy source is captured again, in days."""

    wayback_lookup: bool = False
    """Ask the Internet Archive for a copy of a dead source in `claims show` (sends the URL to it)."""

    store: str | None = None
    """Where captures live: s3://bucket/prefix or a directory (as --store); default: the home."""

    ingest_max_bytes: int = DEFAULT_INGEST_MAX_BYTES
    """The largest document `ingest` reads, in bytes (a file's size, a page's text): a 20 MB text took
    minutes and most of a gigabyte; an article is tens of kilobytes, a long report a few megabytes."""

    keys: dict[str, Any] = field(default_factory=dict)
    """The review app's key bindings: binding id = key (a table, [keys])."""


# The checks a value must pass, by field: (what to call the type, the test).
_CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "database_url": ("a non-empty string", lambda v: isinstance(v, str) and bool(v.strip())),
    "reviewer": ("a non-empty string", lambda v: isinstance(v, str) and bool(v.strip())),
    "publisher_name": ("a non-empty string", lambda v: isinstance(v, str) and bool(v.strip())),
    "publisher_url": ("a non-empty string", lambda v: isinstance(v, str) and bool(v.strip())),
    "claimreview_base_url": ("a non-empty string", lambda v: isinstance(v, str) and bool(v.strip())),
    "allow_private_networks": ("true or false", lambda v: isinstance(v, bool)),
    "recheck_days": (
        "a positive number",
        lambda v: not isinstance(v, bool) and isinstance(v, int | float) and v > 0,
    ),
    "wayback_lookup": ("true or false", lambda v: isinstance(v, bool)),
    "store": ("an s3:// URL or a directory", lambda v: isinstance(v, str) and bool(v.strip())),
    "ingest_max_bytes": (
        "a positive whole number",
        lambda v: not isinstance(v, bool) and isinstance(v, int) and v > 0,
    ),
    "keys": ("a table of binding = key", lambda v: isinstance(v, dict)),
}

CONFIG_KEYS = tuple(f.name for f in fields(ConfigFile))


def parse_config(values: dict[str, Any], source: str = CONFIG_FILENAME) -> ConfigFile:
    """Check the file's keys and values against ConfigFile; ConfigError names the first bad key (and,
    for an unknown one, the known key nearest to it)."""
    for key, value in values.items():
        if key not in _CHECKS:
            import difflib  # only to name the nearest key of a misspelled one

            nearest = difflib.get_close_matches(key, CONFIG_KEYS, n=1, cutoff=0.6)
            hint = (
                f"; did you mean {nearest[0]!r}?" if nearest else f" (known keys: {', '.join(CONFIG_KEYS)})"
            )
            raise ConfigError(f"{source}: unknown key {key!r}{hint}")
        what, check = _CHECKS[key]
        if not check(value):
            raise ConfigError(f"{source}: {key} must be {what}, got {value!r}")
    cleaned: dict[str, Any] = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    if "recheck_days" in cleaned:
        cleaned["recheck_days"] = float(cleaned["recheck_days"])
    return ConfigFile(**cleaned)


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    reviewer: str
    options: dict[str, Any] = field(default_factory=dict)
    # Where captures live: an S3 URL (s3://bucket/prefix) or a directory; None: ``warcs/`` and ``text/``
    # in the home.
    store: str | None = None

    @property
    def file(self) -> ConfigFile:
        """The checked contents of factledger.toml."""
        return parse_config(self.options)

    # Who publishes the verdicts: the author and the review URLs of `export claimreview`.
    @property
    def publisher_name(self) -> str:
        return self.file.publisher_name

    @property
    def publisher_url(self) -> str:
        return self.file.publisher_url.rstrip("/")

    @property
    def publisher_is_placeholder(self) -> bool:
        """True while either publisher setting is its default: reviews would name no real publisher."""
        return self.publisher_name == DEFAULT_PUBLISHER_NAME or self.publisher_url == DEFAULT_PUBLISHER_URL

    @property
    def claimreview_base_url(self) -> str:
        return (self.file.claimreview_base_url or self.publisher_url + "/claims").rstrip("/")

    # The archiver. Private networks stay off limits unless the operator says otherwise.
    @property
    def allow_private_networks(self) -> bool:
        return self.file.allow_private_networks

    @property
    def recheck_days(self) -> float:
        return self.file.recheck_days

    # Sends dead source URLs to the Internet Archive's availability API, so it is opt-in.
    @property
    def wayback_lookup(self) -> bool:
        return self.file.wayback_lookup

    @property
    def ingest_max_bytes(self) -> int:
        return self.file.ingest_max_bytes


def default_home() -> Path:
    import platformdirs  # with tempfile, shutil and more: only when neither --home nor $FACTLEDGER_HOME says

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
    import tomllib  # only when there is a file to read

    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    parse_config(values, str(path))  # refuse a misspelled key or a bad value before anything runs
    return values


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
