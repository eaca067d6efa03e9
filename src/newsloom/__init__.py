"""Newsloom: self-hostable news aggregation."""

__version__ = "0.1.0"
