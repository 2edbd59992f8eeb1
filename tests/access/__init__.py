"""Access-matrix entries, one module per feature; ``tests/test_access_matrix.py`` merges them.

Each module exports ``MATRIX`` (endpoint -> list of :class:`Case`) and ``objects(app, world, f)``,
which creates the feature's objects for the matrix world and returns placeholders for the paths.
"""
