"""Every setting Newsloom reads, declared once with its default and help text.

Values come from, highest priority first: keyword overrides (the CLI's own
flags), ``NEWSLOOM_*`` environment variables, then an optional TOML file
(``--config FILE``, ``NEWSLOOM_CONFIG`` or ``./newsloom.toml``). The object is
built once at start-up and passed down; nothing reads the environment later.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = Path("newsloom.toml")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSLOOM_", extra="forbid", frozen=True)

    # --- storage and queue -------------------------------------------------
    data_dir: Path = Field(Path("data"), description="Folder for the embedded database and queue.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL. Empty means SQLite at DATA_DIR/newsloom.db; "
        "postgresql://user@host/db selects PostgreSQL.",
    )
    queue_url: str | None = Field(
        None,
        description="Job queue. Empty means SQLite (SqliteHuey) at DATA_DIR/queue.db; "
        "redis://host:6379/0 selects Redis.",
    )
    vector_backend: Literal["auto", "pgvector", "embedded"] = Field(
        "auto",
        description="Nearest-neighbour search for related articles and stories. auto: pgvector when the PostgreSQL "
        "database has it, else an in-process usearch index; pgvector: refuse to start without it; embedded: always usearch.",
    )
    worker_threads: int = Field(4, ge=1, le=64, description="Job threads per worker process.")
    integer_embeddings: bool = Field(
        True,
        description="Run the embedding model in 8-bit integers where the CPU multiplies them exactly (x86 VNNI, ARM "
        "dot product): its share of the enrichment 1.3 to 1.7 times faster depending on the CPU, the same summaries "
        "on the evaluation sets, vectors within cosine 0.99 of the reference (docs/benchmarks.md). The integer "
        "model is derived from the shipped one once (about 2 s) and kept in MODEL_CACHE_DIR. Elsewhere, or when "
        "false, the model runs in float.",
    )
    model_cache_dir: Path | None = Field(
        None,
        description="Folder for models derived from the shipped ones (the integer embedding model), so that each "
        "process loads them instead of deriving them again. Empty means DATA_DIR/models.",
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="text: readable lines; json: one JSON object per line (time, level, logger, message, extras)."
    )

    # --- web ---------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `newsloom serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `newsloom serve` binds.")
    page_size: int = Field(30, ge=1, le=200, description="Default page size of article lists.")
    story_window_hours: float = Field(
        72.0, gt=0, le=24 * 30,
        description="A story goes cold when it has had no article for this long; later articles start a new one. "
        "Within it, an article's score against a story fades with the time between them, to half at this distance.",
    )  # fmt: skip
    page_cache_seconds: int = Field(
        30, ge=0, le=3600,
        description="How long a rendered article or list page is reused for other readers (0 turns the cache off).",
    )
    stored_page_max_seconds: int = Field(
        3600, ge=0, le=7 * 86400,
        description="Article pages are kept in the database once rendered, each fresh for a tenth of its article's age "
        "(at least a minute, at most this); an older one is still served while it renders again in the background. "
        "0 keeps none.",
    )  # fmt: skip
    secret_key: str | None = Field(
        None,
        min_length=32,
        description="Signs session cookies. Empty means one is generated once and kept in the database, "
        "so every web process of one installation shares it.",
    )
    https_cookies: bool = Field(
        False, description="Mark session cookies Secure. Turn on when Newsloom is served over https."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins (per address and per username) before sign-in is locked."
    )
    login_lockout_seconds: int = Field(
        60, ge=1, description="First lockout after too many failed sign-ins; it doubles on each further lockout."
    )
    questions_per_minute: int = Field(
        20, ge=1, description="Questions one address may ask about articles per minute (each runs a model)."
    )

    # --- accounts and comments ---------------------------------------------
    signups_per_hour: int = Field(5, ge=1, description="Accounts one address may create per hour.")
    comments_per_minute: int = Field(
        5, ge=1, description="Comments (posts and edits) one account may send per minute."
    )
    comments_per_hour: int = Field(60, ge=1, description="Comments one account may send per hour.")
    comments_per_minute_per_address: int = Field(
        20, ge=1, description="Comments one address may send per minute, across all its accounts."
    )
    comment_max_chars: int = Field(5000, ge=10, le=100_000, description="Longest comment accepted, in characters.")
    comment_max_links: int = Field(3, ge=0, description="Most links one comment may carry.")
    comment_edit_minutes: int = Field(15, ge=0, description="How long after posting its author may edit a comment.")
    hold_first_comments: int = Field(
        0, ge=0,
        description="Hold this many first comments of every new account for a moderator's review (0: publish at once).",
    )  # fmt: skip

    # --- outgoing HTTP -----------------------------------------------------
    user_agent: str = Field(
        "Newsloom/0.1 (self-hosted news reader; +https://github.com/newsloom/newsloom)",
        description="User-Agent sent to publishers.",
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to open a connection.")
    read_timeout: float = Field(20.0, gt=0, description="Seconds to wait for each chunk of a response.")
    total_timeout: float = Field(60.0, gt=0, description="Seconds a whole download may take (stops slow drips).")
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="Largest (decoded) response body accepted.")
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed per request.")
    per_host_concurrency: int = Field(2, ge=1, le=32, description="Simultaneous requests to one host per process.")
    fetch_workers: int = Field(8, ge=1, le=64, description="Parallel downloads during `newsloom refresh`.")
    allow_private_networks: bool = Field(
        False,
        description="Allow fetching loopback/private/link-local addresses. Only for tests and local publishers.",
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description="CIDR ranges exempt from the private-network block, e.g. an intranet publisher.",
    )

    # --- feed scheduling ---------------------------------------------------
    refresh_interval_minutes: int = Field(30, ge=1, description="How often a healthy feed is polled.")
    max_backoff_minutes: int = Field(24 * 60, ge=1, description="Longest wait after repeated feed errors.")
    entry_max_attempts: int = Field(4, ge=1, description="Fetch attempts for one article before it is given up.")
    job_lease_seconds: int = Field(
        900, ge=1, description="A feed or entry handed to the queue is not handed out again for this long.",
    )
    lost_job_seconds: int = Field(
        1800, ge=1,
        description="Work left unfinished this long (a worker killed mid-job) is queued again; every job is idempotent.",
    )  # fmt: skip
    min_article_chars: int = Field(
        250, ge=0, description="Extracted text shorter than this counts as a failed extraction."
    )


def load_settings(config_file: Path | None = None, **overrides: object) -> Settings:
    """Build the settings: overrides > environment > TOML file > defaults."""
    path = config_file or _config_file_from_environment()
    if path is not None and not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    clean_overrides = {key: value for key, value in overrides.items() if value is not None}
    if path is None:
        return Settings(**clean_overrides)

    class _SettingsWithFile(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=path))

    return Settings.model_validate(_SettingsWithFile(**clean_overrides).model_dump())


def _config_file_from_environment() -> Path | None:
    named = os.environ.get("NEWSLOOM_CONFIG")
    if named:
        return Path(named)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def model_cache_dir(settings: Settings) -> Path:
    return settings.model_cache_dir or settings.data_dir / "models"


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{(settings.data_dir / 'newsloom.db').resolve()}"
