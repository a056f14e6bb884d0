"""The demo corpus (``corpus.json`` beside this module): short texts in a few workspaces."""

from __future__ import annotations

from importlib import resources

from pydantic import BaseModel, Field


class DemoDocument(BaseModel):
    """One text of the corpus."""

    title: str
    content: str
    tags: list[str] = Field(default_factory=list)


class DemoWorkspace(BaseModel):
    """A topic: its texts go into one workspace of this name."""

    name: str
    documents: list[DemoDocument]


class DemoCorpus(BaseModel):
    """The workspaces to seed and the searches the demo runs."""

    workspaces: list[DemoWorkspace]
    searches: list[str]

    @property
    def document_count(self) -> int:
        """How many texts the corpus holds."""
        return sum(len(workspace.documents) for workspace in self.workspaces)


def load_corpus() -> DemoCorpus:
    """Read the corpus shipped inside the package (works from a wheel or a zip too)."""
    text = resources.files(__package__).joinpath("corpus.json").read_text(encoding="utf-8")
    return DemoCorpus.model_validate_json(text)


__all__ = ["DemoCorpus", "DemoDocument", "DemoWorkspace", "load_corpus"]
