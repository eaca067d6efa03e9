from pathlib import Path

import pytest
from pydantic import ValidationError

from newsloom.settings import Settings, database_url, load_settings


def test_defaults_are_the_embedded_setup(monkeypatch):
    monkeypatch.delenv("NEWSLOOM_CONFIG", raising=False)
    settings = Settings()
    assert settings.database_url is None and settings.queue_url is None
    assert database_url(settings).endswith("data/newsloom.db")
    assert not settings.allow_private_networks and settings.max_redirects == 5


def test_environment_overrides_file_and_overrides_win(tmp_path, monkeypatch):
    config = tmp_path / "newsloom.toml"
    config.write_text('port = 9000\nworker_threads = 2\nallowed_networks = ["10.0.0.0/8"]\n')
    monkeypatch.setenv("NEWSLOOM_WORKER_THREADS", "6")
    settings = load_settings(config)
    assert (settings.port, settings.worker_threads, settings.allowed_networks) == (9000, 6, ["10.0.0.0/8"])
    assert load_settings(config, port=7000).port == 7000


def test_config_from_environment_variable(tmp_path, monkeypatch):
    config = tmp_path / "other.toml"
    config.write_text("refresh_interval_minutes = 5\n")
    monkeypatch.setenv("NEWSLOOM_CONFIG", str(config))
    assert load_settings().refresh_interval_minutes == 5


def test_bad_values_and_missing_files_are_errors(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError):
        load_settings(Path(tmp_path / "nope.toml"))
    monkeypatch.setenv("NEWSLOOM_PORT", "not-a-port")
    with pytest.raises(ValidationError):
        load_settings()
    config = tmp_path / "typo.toml"
    config.write_text("prot = 1\n")
    monkeypatch.delenv("NEWSLOOM_PORT")
    with pytest.raises(ValidationError):
        load_settings(config)
