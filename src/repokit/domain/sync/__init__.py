"""The sync twin of ``repokit.domain``."""
