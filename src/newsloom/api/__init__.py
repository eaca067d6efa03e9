"""The JSON API: routes and their input/output schemas."""

from newsloom.api.routes import router

__all__ = ["router"]
