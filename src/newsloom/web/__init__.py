"""The web application (reader pages arrive with the reader issue)."""

from newsloom.web.app import create_app

__all__ = ["create_app"]
