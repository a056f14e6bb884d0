"""The Firestore adapter (``firestore://PROJECT[?database=...]``): a collection per entity,
google-cloud-firestore's ``AsyncClient`` (``Client`` for the sync twin).

Entry point: :func:`repokit.infrastructure.firestore.store.open_firestore_store`.
The layout, the filters Firestore answers and the units of work are described in
``docs/backends.md`` ("Firestore").
"""
