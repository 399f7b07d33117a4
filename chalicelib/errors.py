"""Domain errors raised by chalicelib, and the one map of every error type in the package.

Each error is a value the caller can act on. They are mapped to HTTP in exactly one place
(``chalicelib.serve.responses.problem_for``) and to exit codes in one place (``chalicelib.cli``).
No message may carry a bucket name, a credential or a stack trace, because these messages
reach API users.

The classes below, and those of the other layers, each named for what went wrong::

    DatasetError                 (here) every error this package raises on purpose
    ├── StoreError               object storage could not answer
    │   ├── ObjectMissing          the object does not exist
    │   ├── ObjectTruncated        shorter than the range its release says it holds
    │   ├── StoreUnavailable       failed after bounded retries (throttling, 5xx, timeouts)
    │   └── ObjectExists           a write-once object exists with other content
    ├── PublishConflict          another publish moved current.json meanwhile
    ├── IntegrityError           bytes do not match the manifest's digest
    ├── ReleaseNotFound          no such release is published
    ├── EDTFError                not an EDTF date or interval (also a ValueError)
    ├── BuildError               a release cannot be built, for a reason other than its records
    ├── InvalidDataset           some record is invalid (its report says which)
    ├── BadParameter             a query parameter the API cannot accept
    │   └── UnknownCursor          a well-formed cursor this query and release did not make
    └── Redacted                 an older release's file held a value withheld since

    ValueError
    ├── checks.jsonio.JSONInputError      input that is not strict JSON (duplicate keys, depth)
    ├── checks.intake.PayloadError        a payload whose overall shape is wrong
    ├── checks.scaffold.ScaffoldError     a new record asked for that cannot be made
    └── model.redaction.PointerError      a JSON Pointer malformed, or naming nothing
    RuntimeError
    └── release.cores.ForkedTaskDied      a forked worker ended without an answer
    Exception
    ├── release.signing.SignatureError    a signature that does not hold
    └── serve.responses.Problem           an HTTP problem (RFC 9457) a view raises as it is

A problem found in a record, rather than raised, is a value, not an error:
``checks.validate.Violation`` (a report's entry), ``checks.harm.HarmFinding`` (what the
do-no-harm check finds, reported as a Violation) and ``release.verify.VerifyProblem`` (what
``verify`` finds in a published release).
"""


class DatasetError(Exception):
    """Base class for every error this package raises on purpose."""


class StoreError(DatasetError):
    """Object storage could not answer."""


class ObjectMissing(StoreError):
    """The object does not exist in the store."""

    def __init__(self, key: str):
        super().__init__(f"object {key!r} is missing from the store")
        self.key = key


class ObjectTruncated(StoreError):
    """The object ends before the byte range asked of it: damage, since ranges come from
    the release that wrote the object."""

    def __init__(self, key: str):
        super().__init__(f"object {key!r} is shorter than the range read from it")
        self.key = key


class StoreUnavailable(StoreError):
    """The store failed after bounded retries (throttling, 5xx, timeouts)."""

    def __init__(
        self, message: str = "the dataset store is temporarily unavailable", retry_after: int = 1
    ):
        super().__init__(message)
        self.retry_after = retry_after


class ObjectExists(StoreError):
    """A write-once object already exists with different content."""

    def __init__(self, key: str):
        super().__init__(f"object {key!r} already exists with different content")
        self.key = key


class PublishConflict(DatasetError):
    """Another publish changed current.json or releases.json while this one ran."""


class IntegrityError(DatasetError):
    """An object's bytes do not match the digest its release manifest promises."""

    def __init__(self, key: str, expected: str, actual: str):
        super().__init__(
            f"object {key!r} is corrupt: sha256 {actual[:12]}… differs from the "
            f"manifest's {expected[:12]}…"
        )
        self.key = key
        self.expected = expected
        self.actual = actual


class ReleaseNotFound(DatasetError):
    """The requested release version is not published in the store."""

    def __init__(self, version: str):
        super().__init__(f"release {version!r} is not published")
        self.version = version


class EDTFError(DatasetError, ValueError):
    """A string is not a valid EDTF date or interval."""


class BuildError(DatasetError):
    """The release cannot be built for a reason other than invalid records."""


class InvalidDataset(DatasetError):
    """Some record is invalid; ``report`` (a chalicelib.checks.validate.Report) says which and
    why. It is not annotated: errors sit below every layer and import none of them."""

    def __init__(self, report):
        super().__init__(f"{report.error_count} errors in the dataset; nothing was built")
        self.report = report


class BadParameter(DatasetError):
    """A query parameter the API cannot accept; ``param`` names it, ``message`` says why."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class UnknownCursor(BadParameter):
    """A cursor of the right shape that this query and release did not make: the page it
    names does not exist here, as a well-formed release that is not published does not."""

    def __init__(self, message: str):
        super().__init__("cursor", message)


class Redacted(DatasetError):
    """A file of an older release held a value withheld since: it is no longer served.

    ``replaced_by`` is the release that carries the redacted form; ``reason`` is why the value
    is withheld. Neither names the value.
    """

    def __init__(self, version: str, path: str, replaced_by: str, reason: str):
        super().__init__(
            f"{path} of release {version} held a value that is now withheld ({reason}); "
            f"release {replaced_by} carries the redacted form"
        )
        self.version = version
        self.path = path
        self.replaced_by = replaced_by
        self.reason = reason
