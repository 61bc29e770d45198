"""INSERTs compiled once by SQLAlchemy and handed straight to the database driver.

The write-behind queue (bot/store/later.py) commits on its own thread while requests are
being answered on others. Every call into the driver lets go of the GIL and takes it
back, and SQLAlchemy's per-statement work in between (connection checkout, execution
context, result set-up, reset on return) holds it: each handover can keep a request
waiting. Going to the driver directly leaves one `executemany` and one commit per batch.

Values still go through SQLAlchemy: the statement is SQLAlchemy's own compiled INSERT,
and each value passes through its column type's bind processor for that dialect, so a
row is stored exactly as `connection.execute(insert(table), rows)` stores it
(tests/test_write_behind.py compares the two on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Dialect, Table, insert

Row = dict[str, Any]
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class DriverInsert:
    """`INSERT INTO table (...)` for rows with the given keys, as the driver takes it."""

    sql: str
    names: tuple[str, ...]  # bind names, in the statement's order
    processors: tuple[Processor, ...]
    defaults: dict[str, Any]  # scalar defaults for columns the rows leave out
    positional: bool  # "?" placeholders (SQLite) or named ones (psycopg)

    @classmethod
    def compile(cls, table: Table, keys: tuple[str, ...], dialect: Dialect) -> DriverInsert:
        # for_executemany: no RETURNING of each new id (PostgreSQL), which nobody reads.
        compiled = insert(table).compile(
            dialect=dialect, column_keys=list(keys), for_executemany=True
        )
        # Positional styles bind in statement order; named ones by name.
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
        columns = {column.key: column for column in table.columns}
        defaults = {name: _default(columns[name]) for name in names if name not in keys}
        processors = tuple(
            columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        return cls(str(compiled), names, processors, defaults, bool(compiled.positional))

    def parameters(self, rows: list[Row]) -> list[Any]:
        """The driver's parameters for `rows`: tuples or dicts, values processed."""
        out: list[Any] = []
        for row in rows:
            values = []
            for name, process in zip(self.names, self.processors, strict=True):
                value = row[name] if name in row else self.defaults[name]
                values.append(process(value) if process else value)
            named = not self.positional
            out.append(dict(zip(self.names, values, strict=True)) if named else tuple(values))
        return out


def _default(column: Column[Any]) -> Any:
    """The value SQLAlchemy would fill in for a column the row leaves out."""
    default = column.default
    if default is None or not default.is_scalar:
        raise ValueError(
            f"queued rows for {column.table.name} must give {column.key}: "
            "only plain (scalar) column defaults are filled in"
        )
    return default.arg  # type: ignore[attr-defined]
