"""Structured logs: one JSON object per line, with extras and exceptions kept."""

import json
import logging
import os
import subprocess
import sys

from newsloom.logs import JsonFormatter


def test_a_record_becomes_one_json_line_with_its_extras():
    logger = logging.getLogger("newsloom.test")
    record = logger.makeRecord("newsloom.test", logging.WARNING, __file__, 1, "feed %s failed", (7,), None,
                               extra={"feed_id": 7, "status": 503})  # fmt: skip
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "feed 7 failed" and entry["level"] == "warning" and entry["logger"] == "newsloom.test"
    assert entry["feed_id"] == 7 and entry["status"] == 503 and entry["time"].endswith("+00:00")
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record = logger.makeRecord("newsloom.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["exception"]


def test_the_cli_logs_json_when_asked(tmp_path):
    env = {**os.environ, "NEWSLOOM_DATA_DIR": str(tmp_path), "NEWSLOOM_LOG_FORMAT": "json"}
    env.pop("NEWSLOOM_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "newsloom", "-v", "db", "upgrade"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(entry["logger"].startswith("alembic") for entry in entries)
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)
