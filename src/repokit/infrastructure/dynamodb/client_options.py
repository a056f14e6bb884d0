"""botocore options and session arguments, shared by the async and the sync client."""

from __future__ import annotations

from typing import Any

from botocore.config import Config  # type: ignore[import-untyped]
from botocore.loaders import Loader  # type: ignore[import-untyped]
from botocore.session import Session  # type: ignore[import-untyped]

from repokit.infrastructure.config import Settings
from repokit.infrastructure.dynamodb.url import DynamoTarget

CONDITIONAL_CODES = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException"})
"""Failures passed through unmapped: they mean a save rule, decided by the caller."""


def client_config(target: DynamoTarget, settings: Settings) -> Config:
    """botocore options: retry mode and attempts, timeouts, connection pool size."""
    return Config(
        retries={"mode": target.retry_mode, "max_attempts": target.max_attempts},
        connect_timeout=settings.pool_timeout_s,
        read_timeout=settings.statement_timeout_s,
        max_pool_connections=max(settings.pool_max_size, 10),
    )


def session_options(target: DynamoTarget) -> dict[str, Any]:
    """Keyword arguments of the boto session: explicit credentials and region, if any."""
    options: dict[str, Any] = {}
    if target.access_key is not None:
        options["aws_access_key_id"] = target.access_key
        options["aws_secret_access_key"] = target.secret_key
    if target.region is not None:
        options["region_name"] = target.region
    return options


_LOADERS: dict[object, Loader] = {}
"""One botocore data loader per data path, shared by every session of this process."""


def share_data_loader(session: Session) -> Session:
    """Give ``session`` this process's botocore data loader; return it.

    A new botocore session parses its JSON models (endpoints, partitions, the
    DynamoDB API) again, about 0.3 s of CPU per store; the loader caches what it
    parsed and only reads files, so stores opened later reuse the first one's.
    Keyed by the session's ``data_path``, so ``AWS_DATA_PATH`` is still honoured.
    """
    path = session.get_config_variable("data_path")
    shared = _LOADERS.get(path)
    if shared is None:
        _LOADERS[path] = session.get_component("data_loader")
    else:
        session.register_component("data_loader", shared)
    return session


def plain_http_options(target: DynamoTarget) -> dict[str, Any]:
    """Client options for an ``http://`` endpoint (DynamoDB Local, an emulator): no TLS
    is spoken there, so no certificate store is loaded (``verify=False``), which would
    cost about 20 ms of every store opened. HTTPS endpoints keep full verification."""
    endpoint = target.endpoint_url or ""
    return {"verify": False} if endpoint.startswith("http://") else {}


class AttributeValueParsers:
    """A botocore response parser factory whose JSON parsers read DynamoDB attribute
    values in one pass.

    botocore parses a response by walking the service model: for each attribute
    value (``{"S": "x"}``) it looks up each of the ten members of the
    ``AttributeValue`` shape, so parsing the items of a page costs more than
    receiving them. An attribute value's JSON is already its parsed form except
    for blobs (base64), so :func:`attribute_value` builds the same dict directly;
    anything unusual (an unknown or missing member, more than one) goes to botocore's
    own code, as does everything that is not an attribute value.
    """

    def __init__(self, factory: Any) -> None:
        self._factory = factory

    def create_parser(self, protocol_name: str) -> Any:
        """The wrapped factory's parser, reading attribute values directly for ``json``."""
        parser = self._factory.create_parser(protocol_name)
        if protocol_name == "json":
            parser._handle_structure = _structure_handler(parser)
            parser._handle_map = _map_handler(parser)
        return parser

    def __getattr__(self, name: str) -> Any:
        return getattr(self._factory, name)  # set_parser_defaults and the like


def parse_attribute_values(session: Session) -> Session:
    """Give ``session``'s clients :class:`AttributeValueParsers`; return it."""
    factory = session.get_component("response_parser_factory")
    if not isinstance(factory, AttributeValueParsers):
        session.register_component("response_parser_factory", AttributeValueParsers(factory))
    return session


def _structure_handler(parser: Any) -> Any:
    general = parser._handle_structure
    blob = parser._blob_parser

    def handle_structure(shape: Any, value: Any) -> Any:
        if shape.name == "AttributeValue" and type(value) is dict:
            parsed = attribute_value(value, blob)
            if parsed is not None:
                return parsed
        return general(shape, value)

    return handle_structure


def _map_handler(parser: Any) -> Any:
    general = parser._handle_map
    blob = parser._blob_parser

    def handle_map(shape: Any, value: Any) -> Any:
        # An item or a key: attribute values by name (names are plain strings).
        if shape.value.name == "AttributeValue" and type(value) is dict:
            parsed = _values_by_name(value, blob)
            if parsed is not _UNREAD:
                return parsed
        return general(shape, value)

    return handle_map


_AS_IS = frozenset({"S", "N", "BOOL", "NULL"})


def attribute_value(value: dict[str, Any], blob: Any) -> dict[str, Any] | None:
    """The parsed form of one attribute value's JSON (what botocore's model walk gives),
    or None for one only botocore's own parser should handle."""
    if len(value) != 1:
        return None
    ((tag, raw),) = value.items()
    if raw is None:
        return None
    if tag in _AS_IS:
        return {tag: raw}
    if tag == "SS" or tag == "NS":
        return {tag: list(raw)} if type(raw) is list else None
    if tag == "B":
        return {tag: blob(raw)}
    if tag == "BS":
        return {tag: [blob(item) for item in raw]} if type(raw) is list else None
    if tag == "M" and type(raw) is dict:
        members = _values_by_name(raw, blob)
        return None if members is _UNREAD else {tag: members}
    if tag == "L" and type(raw) is list:
        items = [_nested(item, blob) for item in raw]
        return None if any(item is _UNREAD for item in items) else {tag: items}
    return None


_UNREAD: Any = object()


def _values_by_name(raw: dict[str, Any], blob: Any) -> Any:
    """Attribute values by name parsed (a map's members, an item), or :data:`_UNREAD`."""
    parsed = {name: _nested(item, blob) for name, item in raw.items()}
    return _UNREAD if any(item is _UNREAD for item in parsed.values()) else parsed


def _nested(item: Any, blob: Any) -> Any:
    """A nested attribute value parsed (None stays None), or :data:`_UNREAD`."""
    if item is None:
        return None
    parsed = attribute_value(item, blob) if type(item) is dict else None
    return _UNREAD if parsed is None else parsed
