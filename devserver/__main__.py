"""``python -m devserver --host 127.0.0.1 --port 8000``: serve the app over HTTP, locally.

What ``chalice local`` does, with production's routing (see ``devserver.gateway``): the app
reads its store from ``DATASET_STORE``; no AWS account is needed for a folder store.
"""

from __future__ import annotations

import argparse
import logging
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from devserver.gateway import wsgi_app


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    # A browser keeps a connection open; threads keep the server answering everyone else.
    daemon_threads = True
    allow_reuse_address = True


class Handler(WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        # The request target as sent: PATH_INFO is decoded, which loses '%2F' and '%25'.
        environ["REQUEST_URI"] = self.path
        return environ

    # Keep the request line in the log, as chalice local did, but on stdout with the app's logs.
    def log_message(self, format, *args):
        sys.stdout.write(f"{self.address_string()} - {format % args}\n")
        sys.stdout.flush()


def local_app():
    """The Chalice app, made safe for a threaded server: ``current_request`` per thread, as
    chalice local arranges it."""
    from chalice.local import CustomLocalChalice, LocalChalice

    from app import app

    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devserver", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    server = make_server(
        args.host, args.port, wsgi_app(local_app()), ThreadingServer, handler_class=Handler
    )
    print(f"Serving on http://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
