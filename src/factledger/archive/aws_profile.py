"""A named AWS profile (``AWS_PROFILE``) for the S3 capture store, read from the standard shared files.

obstore reads the ``AWS_*`` variables but not profiles, so the store resolves the profile itself: the
config file (``AWS_CONFIG_FILE``, default ``~/.aws/config``, section ``[profile NAME]`` or
``[default]``) and the credentials file (``AWS_SHARED_CREDENTIALS_FILE``, default
``~/.aws/credentials``, section ``[NAME]``), read with configparser; for the keys the credentials file
wins, as in the AWS CLI. Why not botocore, which reads them too: it is not a dependency of factledger
(only moto brings it, in the dev extras), and importing it costs every worker some 20 MB of resident
memory for two INI files. A profile that gets its keys some other way (SSO, ``role_arn``,
``credential_process``) does need it: such a profile is handed to boto3 when it is installed.

The secret key and session token are kept out of ``repr`` and offered to the store as ``secrets`` so
that no error message it prints can carry them.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from factledger.ledger.errors import LedgerError

# Keys that say the profile's credentials come from somewhere other than the files themselves.
_INDIRECT_KEYS: Final = (
    "role_arn",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "web_identity_token_file",
)


class ProfileError(LedgerError):
    """The named profile cannot be used; the message names the profile and the files, never a key."""


@dataclass(frozen=True)
class AwsProfile:
    name: str
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    region: str | None = None
    endpoint_url: str | None = None
    indirect: bool = False  # the keys come from SSO, a role or a process: only botocore can get them

    @property
    def has_keys(self) -> bool:
        return bool(self.access_key_id and self.secret_access_key)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(value for value in (self.secret_access_key, self.session_token) if value)


def read_profile(name: str, environ: Mapping[str, str] = os.environ) -> AwsProfile:
    """The profile ``name`` from the shared config and credentials files ``environ`` points at."""
    config_path = _file(environ, "AWS_CONFIG_FILE", "config")
    credentials_path = _file(environ, "AWS_SHARED_CREDENTIALS_FILE", "credentials")
    config = _section(config_path, name if name == "default" else f"profile {name}")
    credentials = _section(credentials_path, name)
    if config is None and credentials is None:
        raise ProfileError(f"AWS profile {name} is in neither {config_path} nor {credentials_path}")
    merged = {**(config or {}), **(credentials or {})}
    profile = AwsProfile(
        name=name,
        access_key_id=merged.get("aws_access_key_id") or None,
        secret_access_key=merged.get("aws_secret_access_key") or None,
        session_token=merged.get("aws_session_token") or None,
        region=(config or {}).get("region") or None,
        endpoint_url=(config or {}).get("endpoint_url") or None,
        indirect=any(key in merged for key in _INDIRECT_KEYS),
    )
    if bool(profile.access_key_id) != bool(profile.secret_access_key):
        missing = "aws_secret_access_key" if profile.access_key_id else "aws_access_key_id"
        raise ProfileError(f"AWS profile {name} has no {missing} (in {credentials_path} or {config_path})")
    return profile


def _file(environ: Mapping[str, str], variable: str, default_name: str) -> Path:
    return Path(environ.get(variable) or Path("~/.aws") / default_name).expanduser()


def _section(path: Path, section: str) -> dict[str, str] | None:
    parser = configparser.RawConfigParser()  # raw: a secret may contain "%"
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        # configparser quotes the offending line, which may hold a key: name the file and the kind only.
        raise ProfileError(f"cannot read the AWS file {path} ({type(exc).__name__})") from None
    if not parser.has_section(section):
        return None
    return {key: value.strip() for key, value in parser.items(section)}
