import pytest

from sheets_schema import Schema, load_schema


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()
