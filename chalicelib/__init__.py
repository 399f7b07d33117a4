"""The 1988 prison massacres records: the model, the checks, the releases and the API's logic.

The map (docs/architecture.md says more). Each layer imports only those below it, which
``make lint`` enforces:

- ``offline``: the offline edition, the app's own pages written out as static files.
- ``serve/``: HTTP, independent of Chalice: the route table (routes) and its plumbing
  (routing); the contribution form (contribute, contribute_text, recordform, and its Persian
  words: schema_words, problem_words); the pages
  (pages/: negotiation, rendering, fragments, documents, present, cite, sources, summary,
  scripts, hijri, maps, i18n, assets); OpenAPI (openapi); search, history, facets; the Atom feeds of changes (feeds); reconciliation (reconcile, and
  reconciliation/ with its protocol and scoring; refine); the views of records, schemas and
  the dataset (views); the list routes' description (describe), queries and cursors (query,
  cursors); the request (request) and the process's state (service); how a route is declared
  (route); responses and problems (responses); the parameter parser (params); every limit
  (limits). ``app.py`` only builds the service and registers the routes.
- ``release/``: from ``data/`` to a published release and back: build, records, compiled,
  redact, writer, index, textsearch, downloads, tables, sqlite, history, redactions,
  derived, victims, feeds, manifest, layout, publish, signing, verify, verify_http, audit,
  reader, dataset, cache, cores, progress, precheck, readahead.
- ``checks/``: whether a record is acceptable: strict JSON intake (jsonio, intake), the
  validator (validate, with its stages schema_stage and cross_record, and its report), the
  catalog of cross-record lookups (catalog), do no harm (harm), reports as people read them
  (reporting, positions), and new records (scaffold, slugs, placeholders).
- ``model/``: what a record is, with no I/O: the kinds registry (kinds), the schemas
  (schemas), EDTF dates (edtf), the ordering the index and the queries share (ordering),
  folding of names (folding), and withheld values (redaction).
- at the top: ``cli`` (the command line), ``store/`` (one interface, base, and a module
  per backend: folder or s3), ``errors`` (domain errors, and the tree of every error class),
  ``media`` (media types) and ``text`` (clipping, JSON Pointer escaping).
"""
