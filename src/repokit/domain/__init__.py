"""The domain layer: entities, ports, the filter language and the error tree.

It imports only the standard library and pydantic.
"""
