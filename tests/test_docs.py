"""The documentation tells the truth about what the code declares."""

from pathlib import Path

import typer

from newsloom.cli import app
from newsloom.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented():
    text = (DOCS / "configuration.md").read_text()
    missing = [name for name in Settings.model_fields if f"`NEWSLOOM_{name.upper()}`" not in text]
    assert missing == []


def command_paths(command, prefix: str = "") -> list[str]:
    if hasattr(command, "commands"):  # a group
        return [path for name, sub in command.commands.items() for path in command_paths(sub, f"{prefix} {name}")]
    return [prefix.strip()]


def test_every_cli_command_is_in_the_readme():
    text = README.read_text()
    paths = command_paths(typer.main.get_command(app))
    assert len(paths) == 32
    assert [path for path in paths if f"newsloom {path}" not in text] == []
