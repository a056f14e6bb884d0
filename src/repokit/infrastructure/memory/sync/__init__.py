"""The sync twin of ``repokit.infrastructure.memory``."""
