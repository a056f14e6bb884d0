"""The application layer: use cases over the ports, and the embedder port.

It imports the domain only: no driver and nothing from infrastructure, so the
same use cases run on every backend.
"""

from repokit.application.access import readable_workspaces, require_role
from repokit.application.deletion import delete_document
from repokit.application.embedding import EmbedderPort
from repokit.application.hashing import HashingEmbedder
from repokit.application.ingestion import ingest_document
from repokit.application.results import IngestResult, SearchHit, stable_document_id
from repokit.application.retrieval import search
from repokit.application.splitting import split_text
from repokit.application.units import write_unit
from repokit.application.users import register_user
from repokit.application.workspaces import create_workspace, share_workspace

__all__ = [
    "EmbedderPort",
    "HashingEmbedder",
    "IngestResult",
    "SearchHit",
    "create_workspace",
    "delete_document",
    "ingest_document",
    "readable_workspaces",
    "register_user",
    "require_role",
    "search",
    "share_workspace",
    "split_text",
    "stable_document_id",
    "write_unit",
]
