"""The DynamoDB adapter (``dynamodb://``): one table, two GSIs, aioboto3 (boto3 for the sync twin).

Entry point: :func:`repokit.infrastructure.dynamodb.store.open_dynamodb_store`.
The table layout and its access patterns are in ``docs/backends.md`` ("DynamoDB").
"""
