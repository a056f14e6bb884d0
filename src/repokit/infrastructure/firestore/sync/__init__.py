"""The sync twin of ``repokit.infrastructure.firestore``."""
