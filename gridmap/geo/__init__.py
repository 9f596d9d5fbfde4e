"""Toolboxes every domain uses: vector and tabular readers, coordinate systems and their
names, the one polygon input, photo checks. A plain package (no models): it imports no
domain app, and every domain app may import it."""
