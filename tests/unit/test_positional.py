"""``positional``: ``:name`` binds numbered for asyncpg, once per name, casts left alone."""

from shared.db.driver import positional


def test_names_are_numbered_in_order_of_first_use_and_reused() -> None:
    statement = positional("UPDATE t SET a = :a, b = CAST(:b AS uuid), c = :a WHERE d = :d")
    assert statement.sql == "UPDATE t SET a = $1, b = CAST($2 AS uuid), c = $1 WHERE d = $3"
    assert statement.names == ("a", "b", "d")
    assert statement.args({"d": 3, "a": 1, "b": 2, "unused": 9}) == [1, 2, 3]


def test_postgres_casts_are_not_binds() -> None:
    statement = positional("SELECT :ids::uuid[], now()::date")
    assert statement.sql == "SELECT $1::uuid[], now()::date"
    assert statement.names == ("ids",)
