"""Framework integrations over repokit's public API: LangChain and Haystack.

``repokit.integrations.langchain`` (the ``repokit[langchain]`` extra) and
``repokit.integrations.haystack`` (``repokit[haystack]``) import their framework;
nothing else in repokit imports either. The modules here, which both share, use
only the public store API (``repokit.connect``/``connect_sync``, the repositories,
the filter language), so every backend serves both frameworks. The mapping from a
framework document to repokit entities is in :mod:`.codec` and ``docs/integrations.md``.
"""
