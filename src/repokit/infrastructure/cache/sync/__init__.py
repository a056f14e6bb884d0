"""The sync twin of ``repokit.infrastructure.cache``."""
