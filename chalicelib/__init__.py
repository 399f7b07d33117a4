"""The 1988 prison massacres records: the model, the checks, the releases and the API's logic.

The map (docs/architecture.md says what each module does). Each layer imports only those
below it, which ``make lint`` enforces; each bullet names every module of its layer:

- ``serve/``: HTTP, independent of Chalice (``app.py`` holds only the routes): the service one
  process holds (``service``), routes declared once (``route``, ``routes``), requests
  (``request``), the routing plumbing (``routing``), the views (``views``, ``search``,
  ``facets``, ``history``, ``reconcile`` with ``refine``, ``contribute`` with ``recordform``
  and ``contribute_text``), the parameter parser (``params``) and limits (``limits``), list
  queries and cursors (``query``, ``cursors``), responses and problems (``responses``), OpenAPI
  (``openapi``, ``describe``), the lazy imports (``deferred``), and the HTML pages in
  ``pages/`` (``negotiation``, ``rendering``, ``documents``, ``present``, ``cite``, ``i18n``,
  ``assets``, ``summary``, ``sources``, ``scripts``, ``hijri``, ``maps``).
- ``release/``: from ``data/`` to a published release and back: ``build``, ``records``,
  ``compiled``, ``redact``, ``writer``, ``index``, ``textsearch``, ``downloads``, ``tables``,
  ``sqlite``, ``history``, ``feeds``, ``derived``, ``victims``, ``redactions``, ``manifest``,
  ``layout``, ``publish``, ``signing``, ``verify``, ``verify_http``, ``audit``, ``reader``,
  ``cache``, ``cores``, ``progress``, ``precheck``, ``readahead``.
- ``checks/``: whether a record is acceptable: strict JSON intake (``jsonio``, ``intake``), the
  validator (``validate``), the catalog of cross-record lookups (``catalog``), the do-no-harm
  checks (``harm``), reports (``reporting``, ``positions``), and new records (``scaffold``,
  ``placeholders``, ``slugs``).
- ``model/``: what a record is, with no I/O: the kinds registry (``kinds``), the schemas
  (``schemas``), EDTF dates (``edtf``), which spellings are one name (``folding``), the
  ordering the index and the queries share (``ordering``), and withheld values (``redaction``).
- at the top: ``cli`` (the command line), ``offline`` (the offline edition), ``store`` (a
  folder or S3), ``errors`` (domain errors), ``media`` (media types) and ``text`` (clipping,
  JSON Pointer escaping).
"""
