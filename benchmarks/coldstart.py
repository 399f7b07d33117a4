"""One fresh serving process, as Lambda starts it: import the app, answer, report, exit.

benchmarks.cold runs this file as a script in a new interpreter (it is never imported), with
``DATASET_STORE`` naming an S3 store and ``AWS_ENDPOINT_URL`` pointing boto3 at a moto server
on loopback. Requests go through ``app.app(event, context)``, the Lambda entry point, so no
test-client machinery is imported. Every S3 GetObject is counted with a botocore
``before-call`` hook on the store's client.

Requests arrive on stdin as a JSON list of ``{"path", "method"?, "body"?}``.

    python benchmarks/coldstart.py first
        answers the first request only, prints when it was imported and answered (perf_counter, which is
        CLOCK_MONOTONIC and so comparable with the parent's clock) and the objects it read.
    python benchmarks/coldstart.py serve
        answers each request twice (cold, then warm), prints the reads of each, then the
        process's peak RSS (VmHWM; see peak_rss_mb).
"""

import time

STARTED = time.perf_counter()

import json  # noqa: E402 - after the clock starts, on purpose
import os  # noqa: E402
import sys  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Context:
    function_name = "bench"
    memory_limit_in_mb = 1024
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"

    @staticmethod
    def get_remaining_time_in_millis():
        return 20000


def _event(app, request):
    """An API Gateway (REST, proxy) event for ``request``, matched against the app's routes."""
    from urllib.parse import parse_qs, urlsplit

    url = urlsplit(request["path"])
    parts = url.path.split("/")
    best = None
    for template in app.routes:
        pieces = template.split("/")
        if len(pieces) != len(parts):
            continue
        captured, literal = {}, 0
        for piece, part in zip(pieces, parts):
            if piece.startswith("{") and piece.endswith("}"):
                captured[piece[1:-1]] = part
            elif piece != part:
                break
            else:
                literal += 1
        else:
            if best is None or literal > best[0]:
                best = (literal, template, captured)
    if best is None:
        raise SystemExit(f"no route matches {request['path']}")
    method = request.get("method", "GET")
    body = request.get("body")
    return {
        "resource": best[1],
        "path": url.path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"} if body is not None else {},
        "multiValueQueryStringParameters": parse_qs(url.query) or None,
        "pathParameters": best[2] or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": best[1],
            "httpMethod": method,
            "path": url.path,
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def peak_rss_mb():
    """This process's peak RSS: VmHWM, which starts afresh at exec.

    ``ru_maxrss`` would be the obvious call, but Linux carries it over from the parent through
    fork and exec, so a child of a big benchmark process would report the parent's size.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main():
    mode, requests = sys.argv[1], json.load(sys.stdin)
    sys.path.insert(0, ROOT)
    reads = []
    import chalicelib.store.s3 as store  # where S3Store makes its client

    make_client = store._new_s3_client

    def counting_client():
        client = make_client()
        # params is the serialized request here: its url_path names the object.
        client.meta.events.register(
            "before-call.s3.GetObject", lambda params, **_: reads.append(params["url_path"])
        )
        return client

    store._new_s3_client = counting_client
    import app as app_module

    imported = time.perf_counter()
    app = app_module.app
    if mode == "first":
        response = app(_event(app, requests[0]), _Context())
        answered = time.perf_counter()
        print(
            json.dumps(
                {
                    "started": STARTED,
                    "imported": imported,
                    "answered": answered,
                    "status": response["statusCode"],
                    "bytes": len(response.get("body") or ""),
                    "reads": reads,
                }
            )
        )
        return
    import resource

    results = []
    for request in requests:
        one = {
            "path": request["path"]
            if request.get("method", "GET") == "GET"
            else f"{request['method']} {request['path']}"
        }
        for phase in ("cold", "warm"):
            before, t0 = len(reads), time.perf_counter()
            response = app(_event(app, request), _Context())
            one[f"ms_{phase}"] = round((time.perf_counter() - t0) * 1000, 2)
            one[f"reads_{phase}"] = len(reads) - before
            one[f"status_{phase}"] = response["statusCode"]
        one["peak_rss_mb"] = peak_rss_mb()
        results.append(one)
    print(
        json.dumps(
            {
                "started": STARTED,
                "imported": imported,
                "requests": results,
                "maxrss_mb": peak_rss_mb(),
                "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
