"""The web application: reader pages, feeds admin and the JSON API, in one FastAPI app."""

from newsloom.web.app import create_app

__all__ = ["create_app"]
