"""The data tests read the project's own data/ (``support.dataset``) and hold it to the
rules a record about real people must keep. They need no store and no network.
"""
