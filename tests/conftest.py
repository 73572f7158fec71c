import pytest

from taxcalc.tables import load_tables


@pytest.fixture(scope="session")
def tables():
    return load_tables()
