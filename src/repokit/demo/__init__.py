"""The demo behind ``repokit demo``: a small corpus shipped with the package, and its seeding."""

from repokit.demo.corpus import DemoCorpus, DemoDocument, DemoWorkspace, load_corpus
from repokit.demo.seeding import DEMO_EMAIL, SeedReport, ensure_demo_user, seed_corpus

__all__ = [
    "DEMO_EMAIL",
    "DemoCorpus",
    "DemoDocument",
    "DemoWorkspace",
    "SeedReport",
    "ensure_demo_user",
    "load_corpus",
    "seed_corpus",
]
