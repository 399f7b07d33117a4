"""HTML pages: the same URLs as the JSON API, rendered for people reading them in a browser.

``negotiation`` decides, on every request, whether the answer is a page or JSON; it is light
and imported at cold start. Everything else here (``rendering`` and Jinja2 with it) is imported
only when a page is actually rendered, so the JSON routes' cold start does not grow.
"""
