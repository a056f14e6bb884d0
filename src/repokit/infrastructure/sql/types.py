"""Column types shared by the SQLite and (later) PostgreSQL adapters.

Each type picks its storage per dialect in ``load_dialect_impl`` so one table
definition serves every database:

=================  ===============================  ==========================
type               SQLite                           PostgreSQL
=================  ===============================  ==========================
``UUIDType``       16-byte BLOB (sorts like UUIDs)  ``uuid``
``UtcDateTime``    INTEGER microseconds since epoch ``timestamptz``
``JsonDocument``   TEXT holding JSON (``json1``)    ``jsonb``
``Float32Vector``  BLOB of packed little-endian f32 ``vector(n)`` (pgvector)
``ExactDecimal``   TEXT (``str(Decimal)``, exact)   ``numeric`` (unconstrained)
``DecimalKey``     TEXT order key (``decimal_key``) ``numeric`` (unconstrained)
``CodePointText``  TEXT (BINARY: code points)       ``text COLLATE "C"``
``StoredText``     TEXT                             ``text``
``CalendarDate``   TEXT ``YYYY-MM-DD``              ``date``
=================  ===============================  ==========================

On MySQL and MariaDB: ``BINARY(16)``, ``DATETIME(6)`` holding naive UTC, ``JSON``
(MariaDB: LONGTEXT with a ``json_valid`` check), ``LONGBLOB`` of packed float32,
TEXT, the order key as ``VARCHAR(40)`` (ASCII, binary collation), ``LONGTEXT``
(in ``utf8mb4_bin`` tables, :mod:`.mysql_ddl`), ``LONGTEXT`` and ``DATE``.
MySQL's ``TEXT`` holds 64 KiB, hence ``LONGTEXT`` (4 GiB) for every text column.
MySQL has no unconstrained ``DECIMAL`` (its default is ``DECIMAL(10,0)``), so a
decimal compares through the same order key as on SQLite. ``DATETIME(6)`` keeps
microseconds but has no time zone and silently drops an offset it is given:
values are converted to UTC before they are bound and read back as aware UTC.

Timestamps are stored as integer microseconds rather than milliseconds: every
stored value is already truncated to milliseconds by the domain, but filter and
``since``/``until`` operands keep their microseconds, and an integer column that
holds them exactly compares them exactly, with no rounding in the SQL.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, SafeUUID

from sqlalchemy import JSON, BigInteger, LargeBinary, Numeric, Text
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

from repokit.infrastructure.sql.decimal_key import decimal_key

DECIMAL_KEY_LENGTH = 40
"""Characters of a :func:`.decimal_key` (sign class, exponent, 34 digits)."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_POSTGRES = "postgresql"
_MYSQL = "mysql"
"""SQLAlchemy's dialect name for MySQL and MariaDB alike."""


def datetime_to_micros(value: datetime) -> int:
    """Microseconds since the Unix epoch; a naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def micros_to_datetime(value: int) -> datetime:
    """The aware UTC datetime ``value`` microseconds after the Unix epoch."""
    return EPOCH + timedelta(microseconds=value)


def pack_float32(values: list[float]) -> bytes:
    """``values`` as packed little-endian float32 (the SQLite storage of embeddings)."""
    return struct.pack(f"<{len(values)}f", *values)


def unpack_float32(blob: bytes) -> list[float]:
    """The floats of a blob made by :func:`pack_float32`."""
    return list(struct.unpack(f"<{len(blob) // 4}f", blob))


_new_uuid = UUID.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown


def _uuid_bytes(value: UUID) -> bytes:
    return value.bytes


def standard_uuid(value: int) -> UUID:
    """``UUID(int=value)`` for a value known to be valid, without its checks (3x faster)."""
    made = _new_uuid(UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _UNKNOWN)
    return made


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` for a value that may be None (None stays None)."""

    def bind(value: Any) -> Any:
        return None if value is None else convert(value)

    return bind


def _direct_bind(
    decorator: TypeDecorator[Any], dialect: Dialect, convert: Callable[[Any], Any]
) -> Any:
    """The bind processor of ``decorator``: on PostgreSQL the driver type's own (its
    ``process_bind_param`` passes values through there); elsewhere ``convert`` alone.

    SQLAlchemy's wrapper would call ``process_bind_param`` and then the storage type's
    processor for every value of every row; on SQLite and MySQL that processor adds
    nothing the driver needs (sqlite3, PyMySQL and asyncmy take ``bytes`` and ``str`` as
    they are), and a batch insert pays for each call.
    """
    if dialect.name == _POSTGRES:
        return decorator.impl_instance.bind_processor(dialect)
    return _optional(convert)


class UUIDType(TypeDecorator[UUID]):
    """A UUID: 16 raw bytes on SQLite (byte order = UUID order), native ``uuid`` on PostgreSQL."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == _POSTGRES:
            return dialect.type_descriptor(postgresql.UUID(as_uuid=True))
        if dialect.name == _MYSQL:
            # A BLOB cannot be a key without a prefix length: fixed BINARY(16) can.
            return dialect.type_descriptor(mysql.BINARY(16))
        return dialect.type_descriptor(LargeBinary(16))

    def bind_processor(self, dialect: Dialect) -> Any:
        return _direct_bind(self, dialect, _uuid_bytes)

    def process_bind_param(self, value: UUID | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == _POSTGRES:
            return value
        return value.bytes

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        return read_uuid  # one call per value, for every driver's form (no wrapper)

    def process_result_value(self, value: Any, dialect: Dialect) -> UUID | None:
        return read_uuid(value)


def read_uuid(value: Any) -> UUID | None:
    """A UUID read back: standard ``uuid.UUID`` from any driver's form."""
    if value is None or type(value) is UUID:
        return value
    if isinstance(value, UUID):
        # asyncpg's own UUID subclass: entities hold the standard class.
        return standard_uuid(value.int)
    if len(value) == 16:  # repokit's own 16-byte form: no need for UUID's checks
        return standard_uuid(int.from_bytes(value))
    return UUID(bytes=bytes(value))


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime: integer microseconds on SQLite (sorts and compares exactly)."""

    impl = BigInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == _POSTGRES:
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        if dialect.name == _MYSQL:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(BigInteger())

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name == _POSTGRES:
            return _optional(aware)
        return _optional(naive_utc if dialect.name == _MYSQL else datetime_to_micros)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == _POSTGRES:
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        if dialect.name == _MYSQL:
            return naive_utc(value)
        return datetime_to_micros(value)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        return read_utc  # one call per value, for every driver's form (no wrapper)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return read_utc(value)


def aware(value: datetime) -> datetime:
    """``value`` with a time zone: a naive value is taken as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def naive_utc(value: datetime) -> datetime:
    """``value`` in UTC without its zone, as MySQL's ``DATETIME`` stores it (naive means UTC)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def read_utc(value: Any) -> datetime | None:
    """An aware UTC datetime read back from a ``timestamptz``, a naive UTC ``DATETIME``
    (MySQL) or integer microseconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        # asyncpg already returns timestamptz in UTC: skip the copy astimezone makes.
        return value if value.tzinfo is UTC else value.astimezone(UTC)
    return micros_to_datetime(int(value))


JsonDocument: TypeEngine[Any] = JSON().with_variant(postgresql.JSONB(), _POSTGRES)
"""JSON metadata: TEXT read by SQLite's json1 functions, ``jsonb`` on PostgreSQL, ``JSON``
on MySQL (MariaDB makes it LONGTEXT with a ``json_valid`` check)."""


class PgVector(UserDefinedType[Any]):
    """pgvector's ``vector(n)`` with no Python-side processing.

    The connection's binary codec (:mod:`.driver_postgres`) turns lists and numpy
    arrays into pgvector's binary format and back into lists of floats, so the
    text form (``'[1,2,3]'``) of ``pgvector.sqlalchemy.VECTOR`` is never built.
    """

    cache_ok = True

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def get_col_spec(self, **kw: Any) -> str:
        return "vector" if self.dim is None else f"vector({self.dim})"


class Float32Vector(TypeDecorator[list[float]]):
    """An embedding: packed float32 BLOB on SQLite, pgvector's ``vector`` on PostgreSQL.

    ``dim`` is only needed for the PostgreSQL column type; SQLite blobs carry
    their length, and the repository checks the dimension before writing.
    """

    impl = LargeBinary
    cache_ok = True

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == _POSTGRES:
            return dialect.type_descriptor(PgVector(self.dim))
        if dialect.name == _MYSQL:
            # BLOB holds 64 KiB (16,384 dimensions); LONGBLOB has no practical limit.
            return dialect.type_descriptor(mysql.LONGBLOB())
        return dialect.type_descriptor(LargeBinary())

    def bind_processor(self, dialect: Dialect) -> Any:
        return _direct_bind(self, dialect, pack_float32)

    def process_bind_param(self, value: list[float] | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == _POSTGRES:
            return value
        return pack_float32(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[float] | None:
        if value is None:
            return None
        if isinstance(value, list):
            return value  # the binary codec of driver_postgres already made floats
        if isinstance(value, bytes | bytearray | memoryview):
            return unpack_float32(bytes(value))
        return [float(x) for x in value]


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal kept exactly, scale included: TEXT on SQLite, ``numeric`` on PostgreSQL."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == _POSTGRES:
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(Text())

    def bind_processor(self, dialect: Dialect) -> Any:
        return _direct_bind(self, dialect, str)

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == _POSTGRES:
            return value
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(value)


class DecimalKey(TypeDecorator[Decimal]):
    """A Decimal as it compares: ``numeric`` on PostgreSQL, :func:`.decimal_key` text on SQLite.

    Write-only on SQLite (the key is not read back): declared entities keep the
    exact text beside it (see :mod:`.entity_layout`).
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == _POSTGRES:
            return dialect.type_descriptor(Numeric(asdecimal=True))
        if dialect.name == _MYSQL:
            # Indexable (a TEXT key needs a prefix length); the key is ASCII of fixed length.
            return dialect.type_descriptor(
                mysql.VARCHAR(DECIMAL_KEY_LENGTH, charset="ascii", collation="ascii_bin")
            )
        return dialect.type_descriptor(Text())

    def bind_processor(self, dialect: Dialect) -> Any:
        return _direct_bind(self, dialect, decimal_key)

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == _POSTGRES:
            return value
        return decimal_key(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        raise TypeError("a decimal key is not read back; read the exact text column")


StoredText: TypeEngine[str] = Text().with_variant(mysql.LONGTEXT(), _MYSQL)
"""Text of any length: TEXT, and LONGTEXT on MySQL (whose TEXT holds 64 KiB)."""


class CodePointText(TypeDecorator[str]):
    """Text compared and ordered by code point: ``text COLLATE "C"`` on PostgreSQL (so
    plain indexes serve those comparisons), TEXT with SQLite's BINARY collation,
    LONGTEXT in MySQL's ``utf8mb4_bin`` tables (:mod:`.mysql_ddl`)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == _POSTGRES:
            # Not through type_descriptor, which turns text into the driver's VARCHAR.
            return postgresql.TEXT(collation="C")
        if dialect.name == _MYSQL:
            return mysql.LONGTEXT()
        return dialect.type_descriptor(Text())


_NATIVE_DATE = (_POSTGRES, _MYSQL)


class CalendarDate(TypeDecorator[date]):
    """A date: ``date`` on PostgreSQL, ISO-8601 TEXT on SQLite (which sorts like dates)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in _NATIVE_DATE:
            return dialect.type_descriptor(
                postgresql.DATE() if dialect.name == _POSTGRES else mysql.DATE()
            )
        return dialect.type_descriptor(Text())

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name == _MYSQL:
            return None  # PyMySQL and asyncmy bind a date as it is
        return _direct_bind(self, dialect, date.isoformat)

    def process_bind_param(self, value: date | None, dialect: Dialect) -> Any:
        if value is None or dialect.name in _NATIVE_DATE:
            return value
        return value.isoformat()

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        return read_date  # one call per value, for every driver's form (no wrapper)

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        return read_date(value)


def read_date(value: Any) -> date | None:
    """A date read back from a ``date`` or ISO-8601 text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


__all__ = [
    "DECIMAL_KEY_LENGTH",
    "EPOCH",
    "CalendarDate",
    "CodePointText",
    "DecimalKey",
    "ExactDecimal",
    "Float32Vector",
    "JsonDocument",
    "PgVector",
    "StoredText",
    "UUIDType",
    "UtcDateTime",
    "datetime_to_micros",
    "micros_to_datetime",
    "naive_utc",
    "pack_float32",
    "read_date",
    "read_utc",
    "read_uuid",
    "standard_uuid",
    "unpack_float32",
]
