"""Helpers the test folders share: datasets, the AWS fake, published stores, hostile clients.

``pytest.ini`` puts ``tests/`` on the path, so every test module imports them as
``support.<module>``. Fixtures live in the ``conftest.py`` of the folder that uses them;
what more than one folder needs is here, as plain functions and context managers.
"""
