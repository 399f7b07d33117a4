"""The documentation's tests: what the docs say about the code and the data stays true.

They read the tree and the docs as they are at test time, so a module added, moved or removed
fails here until the map says so; nothing is cached between runs.
"""
