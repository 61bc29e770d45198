"""Database errors never carry people's text into logs: SQLAlchemy would put a failed
statement's values in the exception's message, and listeners log exceptions."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.store.db import Database

SECRET_TEXT = "caught a mislabeled specimen for John Smith, MRN 00123456"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_failed_statement_hides_its_values(backend: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    db = Database(url)
    try:
        with pytest.raises(Exception) as caught, db.begin() as session:
            # No such table: the statement fails with its values bound.
            session.execute(text("INSERT INTO no_such_table (t) VALUES (:t)"), {"t": SECRET_TEXT})
        assert "no_such_table" in str(caught.value)  # the statement is still there to debug
        assert "John Smith" not in str(caught.value)
        assert "00123456" not in repr(caught.value)
    finally:
        db.dispose()
