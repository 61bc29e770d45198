"""The SQL store: models, migrations, engine and queries.

Query functions take a session and never commit; callers own the unit of work
(`with db.begin() as session:`).
"""
