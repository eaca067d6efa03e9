import pytest

from newsloom.store import Database


@pytest.fixture
def database(database_url):
    """A freshly migrated, empty database on each backend."""
    built = Database(database_url)
    yield built
    built.dispose()
