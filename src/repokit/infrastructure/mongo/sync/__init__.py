"""The sync twin of ``repokit.infrastructure.mongo``."""
