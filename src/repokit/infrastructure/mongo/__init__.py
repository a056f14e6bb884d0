"""The MongoDB adapter, on PyMongo's async API (``AsyncMongoClient``).

One collection per aggregate; the filter AST compiled to query documents;
client-session transactions where the server offers them (replica set or
sharded cluster). The sync twin, :mod:`repokit.infrastructure.mongo.sync`, is
generated from these modules and runs on ``MongoClient``.
"""
