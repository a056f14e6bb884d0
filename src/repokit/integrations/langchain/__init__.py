"""LangChain over repokit: :class:`RepokitVectorStore` (``pip install 'repokit[langchain]'``).

The mapping of LangChain documents to repokit entities and the filter dialect are
described in ``docs/integrations.md``.
"""

from __future__ import annotations

from repokit.integrations.langchain.filters import translate_filter
from repokit.integrations.langchain.vectorstore import RepokitVectorStore

__all__ = ["RepokitVectorStore", "translate_filter"]
