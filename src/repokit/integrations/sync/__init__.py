"""The sync twin of ``repokit.integrations``."""
