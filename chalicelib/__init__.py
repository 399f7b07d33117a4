"""The 1988 prison massacres records: the model, the checks, the releases and the API's logic.

The map (docs/architecture.md says more). Each layer imports only those below it, which
``make lint`` enforces:

- ``serve/``: HTTP, independent of Chalice: routing plumbing, views, the parameter parser,
  list queries and cursors, responses and problems, OpenAPI. ``app.py`` holds only the routes.
- ``release/``: from ``data/`` to a published release and back: build, compiled, writer,
  index, textsearch, downloads, tables, manifest, layout, publish, reader, cache, cores,
  readahead.
- ``checks/``: whether a record is acceptable: strict JSON intake, the validator, the catalog
  of cross-record lookups.
- ``model/``: what a record is, with no I/O: the kinds registry, the schemas, EDTF dates, and
  the ordering the index and the queries share.
- at the top: ``cli`` (the command line), ``store`` (a folder or S3), ``errors`` (domain
  errors), ``media`` (media types) and ``text`` (clipping, JSON Pointer escaping).
"""
