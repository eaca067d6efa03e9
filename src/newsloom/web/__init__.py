"""The web application: reader pages, accounts and comments, feeds admin and the JSON API, in one FastAPI app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from newsloom.settings import Settings
    from newsloom.store import Database


def create_app(settings: Settings, database: Database | None = None) -> FastAPI:
    # Imported here, not at the top: the API's routes use web.auth, and importing the
    # package must not build the app module graph halfway through theirs.
    from newsloom.web.app import create_app as build

    return build(settings, database)


__all__ = ["create_app"]
