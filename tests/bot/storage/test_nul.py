"""NUL never reaches a database: single and many-row statements, named and positional."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, insert, select

from bot.storage import nul


def test_strip_nul_touches_only_text() -> None:
    assert nul.strip_nul("a\x00b\x00") == "ab"
    assert nul.strip_nul(5) == 5
    assert nul.strip_nul(None) is None


def test_every_string_parameter_is_stripped_at_the_cursor() -> None:
    engine = create_engine("sqlite://")
    nul.install(engine)
    nul.install(engine)  # idempotent: one listener
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("s", Text))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), {"s": "one\x00"})
        conn.execute(insert(table), [{"s": "two\x00"}, {"s": "th\x00ree"}])  # executemany
        conn.exec_driver_sql("INSERT INTO t (s) VALUES (?)", ("fo\x00ur",))  # positional
        found = conn.execute(select(table.c.s).where(table.c.s == "one\x00")).scalars().all()
        stored = conn.execute(select(table.c.s).order_by(table.c.id)).scalars().all()
    assert found == ["one"]  # a lookup with NUL finds what the insert stored
    assert stored == ["one", "two", "three", "four"]
