"""`quizmaster db copy`: every row of one database into another, empty one (SQLite to
PostgreSQL is the move a growing team makes; the other way works too).

Both sides are migrated to the latest schema first, so a SQLite file from an older release
moves forward in place before it is read. The rows go over in one transaction on the target, in
the tables' foreign-key order; PostgreSQL's id sequences then continue after the highest copied
id, so new posts and answers after the copy get fresh ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database
from bot.storage.schema import engine_for

WRITTEN_AFTER = {"users": "ingested"}
"""Order the schema's foreign keys do not give: `ingested`'s trigger writes a member row from each
claim (with the name the claim was made under), so the member rows are written again after it,
as they were."""
BATCH = 1000


class CopyRefusedError(Exception):
    """The copy would overwrite or lose something; nothing was written."""


@dataclass(frozen=True)
class Copied:
    """Rows per table, in copy order."""

    rows: dict[str, int]


async def copy_order(conn: AsyncConnection) -> list[Table]:
    """Every table of the migrated schema, each after the tables it references (and
    `WRITTEN_AFTER`): a new table is copied without a list to keep."""
    metadata = MetaData()
    await conn.run_sync(metadata.reflect)
    metadata.remove(metadata.tables["alembic_version"])
    for table, after in WRITTEN_AFTER.items():
        metadata.tables[table].add_is_dependent_on(metadata.tables[after])
    return list(metadata.sorted_tables)


async def copy_database(source: Path | str, target: Path | str) -> Copied:
    """Copy every row of `source` into `target`, which must hold no rows."""
    if source == target:
        raise CopyRefusedError("--from and --to are the same database")
    for where in (source, target):
        await (await Database.open(where)).close()
    source_engine, target_engine = engine_for(source), engine_for(target)
    try:
        async with source_engine.connect() as reader, target_engine.connect() as writer:
            read = {table.name: table for table in await copy_order(reader)}
            write = await copy_order(writer)
            if sorted(read) != sorted(table.name for table in write):
                raise CopyRefusedError("the two databases' schemas differ after migrating both")
            for table in write:
                if (await writer.execute(select(func.count()).select_from(table))).scalar():
                    raise CopyRefusedError(f"the target is not empty: {table.name} has rows")
            await writer.rollback()
            copied: dict[str, int] = {}
            async with writer.begin():
                for table in write:
                    copied[table.name] = await _copy_table(reader, writer, read[table.name], table)
                if writer.dialect.name == "postgresql":
                    await _continue_sequences(writer, write)
            return Copied(copied)
    finally:
        await source_engine.dispose()
        await target_engine.dispose()


async def _copy_table(
    reader: AsyncConnection, writer: AsyncConnection, source: Table, target: Table
) -> int:
    if target.name == "users":
        await writer.execute(target.delete())
    columns = [column.name for column in target.columns]
    query = select(*(source.c[name] for name in columns))
    if "id" in source.c:
        query = query.order_by(source.c.id)
    result = await reader.stream(query)
    count = 0
    async for batch in result.partitions(BATCH):
        await writer.execute(
            target.insert(), [dict(zip(columns, row, strict=True)) for row in batch]
        )
        count += len(batch)
    return count


async def _continue_sequences(writer: AsyncConnection, tables: list[Table]) -> None:
    for table in tables:
        name = table.name
        # Integer ids are an identity's; a text id (a replica's heartbeat) has no sequence.
        if "id" in table.c and table.c.id.type.python_type is int:
            await writer.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:name, 'id'),"
                    f" COALESCE((SELECT MAX(id) FROM {name}), 1),"
                    f" (SELECT MAX(id) IS NOT NULL FROM {name}))"
                ),
                {"name": name},
            )
