"""``AWS_PROFILE`` for the S3 capture store: a named profile in the standard shared files (config and
credentials, in a temporary directory) holding the loopback server's keys, region and endpoint, with
no key in the environment; and a refused key never printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from factledger.archive.aws_profile import ProfileError, read_profile
from factledger.archive.objects import S3Objects, StoreError
from tests.conftest import Factledger
from tests.s3_server import S3Server, serve_s3
from tests.site_server import Site

pytestmark = pytest.mark.integration

SECRET = "wJalrXUtnFEMI-never-printed-%-bPxRfiCYEXAMPLEKEY"


def write_profile(directory: Path, name: str, *, key: str, secret: str, endpoint: str) -> dict[str, str]:
    """The two shared files with profile ``name``; the variables that point at them."""
    config, credentials = directory / "config", directory / "credentials"
    config.write_text(
        f"[default]\nregion = eu-west-3\n\n[profile {name}]\nregion = us-east-1\nendpoint_url = {endpoint}\n"
    )
    credentials.write_text(
        f"[default]\naws_access_key_id = default-key\naws_secret_access_key = default-secret\n\n"
        f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
    )
    return {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_PROFILE": name,
    }


def use_server_profile(
    s3_server: S3Server, directory: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Profile ``name`` holding the server's own keys and endpoint, in effect for this test."""
    env = s3_server.environment()
    for variable, value in write_profile(
        directory,
        name,
        key=env["AWS_ACCESS_KEY_ID"],
        secret=env["AWS_SECRET_ACCESS_KEY"],
        endpoint=s3_server.endpoint,
    ).items():
        monkeypatch.setenv(variable, value)


@pytest.fixture
def only_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No key, region or endpoint in the environment (plain HTTP stays allowed for loopback)."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ALLOW_HTTP", "true")
    (tmp_path / "aws").mkdir()
    return tmp_path / "aws"


def test_a_named_profile_brings_the_keys_region_and_endpoint(
    s3_server: S3Server, only_profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = s3_server.new_bucket()  # made with the server's keys, before they leave the environment
    use_server_profile(s3_server, only_profile, "team", monkeypatch)

    objects = S3Objects(f"{bucket}/warcs")
    objects.put("a/b.warc.gz", b"bytes through the profile")

    assert objects.get_range("a/b.warc.gz", 6, 7) == b"through"
    monkeypatch.delenv("AWS_PROFILE")  # the test's own boto3 client must not read it
    assert f"{bucket.removeprefix('s3://').split('/', 1)[1]}/warcs/a/b.warc.gz" in s3_server.keys(bucket)


def test_workers_and_reviewers_use_the_profile_end_to_end(
    db_url: str,
    tmp_path: Path,
    site: Site,
    s3_server: S3Server,
    only_profile: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket = s3_server.new_bucket()
    use_server_profile(s3_server, only_profile, "desk", monkeypatch)
    worker = Factledger(db_url=db_url, home=tmp_path / "worker", store=bucket)
    url = site.html("/bridge", "Officials said the bridge reopened in May after repairs.")
    cid = str(worker.json("claims", "add", "The bridge reopened in May.")["id"])
    worker("cite", cid, url, "--stance", "supports", "--quote", "the bridge reopened in May")

    worker.archive()  # the prepare workers (other processes) read the profile too
    checked = worker("store", "check")

    assert checked.exit_code == 0, checked.stderr
    monkeypatch.delenv("AWS_PROFILE")  # the test's own boto3 client must not read it
    assert any(key.endswith(".warc.gz") for key in s3_server.keys(bucket))


def test_a_refused_key_is_one_line_that_never_shows_the_secret(
    only_profile: Path, monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path
) -> None:
    with serve_s3(check_keys=True) as strict:
        for name, value in write_profile(
            only_profile, "wrong", key="AKIAWRONGKEY0000", secret=SECRET, endpoint=strict.endpoint
        ).items():
            monkeypatch.setenv(name, value)
        for name in (
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ENDPOINT_URL",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
        ):
            monkeypatch.delenv(name, raising=False)  # serve_s3 set them; this test has only the profile

        with pytest.raises(StoreError) as refused:
            S3Objects("s3://fl-refused/captures/warcs").put("k.warc.gz", b"data")
        message = str(refused.value)
        assert message.startswith("capture store s3://fl-refused/captures/warcs, object k.warc.gz: ")
        assert "\n" not in message
        assert SECRET not in message
        assert "never-printed" not in message

        ledger = Factledger(db_url=db_url, home=tmp_path / "home", store="s3://fl-refused/other")
        ledger("init")
        result = ledger("store", "check")
        assert result.exit_code == 1
        assert "s3://fl-refused/other" in result.stderr
        assert "internal error" not in result.stderr
        assert SECRET not in result.stderr + result.stdout
        assert "never-printed" not in result.stderr


def test_the_credentials_file_wins_and_a_missing_profile_names_both_files(tmp_path: Path) -> None:
    env = write_profile(tmp_path, "team", key="file-key", secret=SECRET, endpoint="http://127.0.0.1:9")
    (tmp_path / "config").write_text(
        (tmp_path / "config").read_text()
        + "aws_access_key_id = config-key\naws_secret_access_key = config-secret\n"
    )

    profile = read_profile("team", env)
    default = read_profile("default", env)

    assert (profile.access_key_id, profile.secret_access_key) == ("file-key", SECRET)  # "%" read raw
    assert (profile.region, profile.endpoint_url) == ("us-east-1", "http://127.0.0.1:9")
    assert (default.access_key_id, default.region) == ("default-key", "eu-west-3")
    assert SECRET not in repr(profile)
    with pytest.raises(ProfileError, match=r"AWS profile absent is in neither .*config nor .*credentials"):
        read_profile("absent", env)


def test_half_a_key_pair_is_refused_without_quoting_the_key(tmp_path: Path) -> None:
    (tmp_path / "credentials").write_text(f"[half]\naws_secret_access_key = {SECRET}\n")
    env = {
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    with pytest.raises(ProfileError) as refused:
        read_profile("half", env)
    assert "has no aws_access_key_id" in str(refused.value)
    assert SECRET not in str(refused.value)
    (tmp_path / "credentials").write_text(f"[broken\naws_secret_access_key = {SECRET}\n")
    with pytest.raises(ProfileError) as unreadable:
        read_profile("broken", env)
    assert SECRET not in str(unreadable.value)
