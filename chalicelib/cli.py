"""The command-line tool: ``python -m chalicelib <command>``.

Exit codes: 0 when all is well, 1 when records are invalid (or a publish is refused),
2 for a usage error such as an unknown option or an unreadable input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from chalicelib.checks.catalog import Catalog
from chalicelib.checks.intake import DATA_DIR, PayloadError, items_from_payload, load_paths
from chalicelib.checks.jsonio import JSONInputError, parse
from chalicelib.checks.reporting import as_github, as_json, as_text
from chalicelib.checks.validate import Report, validate
from chalicelib.model.schemas import SchemaSet

STDIN_MAX_BYTES = 256 * 1024 * 1024
STDIN_MAX_ITEMS = 1_000_000


def report_formats(help_text: str):
    """--format text|json|github and --json, as every command that reports problems takes them."""

    def apply(command):
        command = click.option(
            "--json", "json_flag", is_flag=True, help="The same as --format json."
        )(command)
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(["text", "json", "github"]),
            default="text",
            show_default=True,
            help=help_text,
        )(command)

    return apply


def data_option(help_text: str):
    """--data FOLDER, the dataset a command reads (default: data/)."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=DATA_DIR,
        show_default=True,
        help=help_text,
    )


def signing_key_option(help_text: str):
    """--signing-key PATH, an Ed25519 OpenSSH private key (chalicelib.release.signing)."""
    return click.option(
        "--signing-key",
        "key_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help=help_text,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Validate, build and publish the 1988 prison massacres dataset."""


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@report_formats(
    "text for people; json as POST /validate answers, with lines and columns; github "
    "for workflow commands that annotate a pull request."
)
@data_option("The dataset that references resolve against.")
def validate_command(
    paths: tuple[Path, ...], output_format: str, json_flag: bool, data_dir: Path
) -> None:
    """Validate record files or folders (default: data/), or items on stdin with '-'.

    Records are checked against their schema, then against the whole of the dataset
    for references, dates and duplicate claims.
    """
    schemas = SchemaSet.from_dir()
    if not paths:
        paths = (data_dir,)
    if any(str(p) == "-" for p in paths):
        if len(paths) > 1:
            raise click.UsageError("'-' (items on stdin) cannot be combined with paths")
        items = _stdin_items()
        label = "stdin"
    else:
        items = load_paths(paths)
        label = ", ".join(str(p) for p in paths)
    whole = paths == (data_dir,)
    catalog = (
        None if whole else Catalog.from_items(load_paths([data_dir])) if data_dir.is_dir() else None
    )
    report = validate(items, schemas, catalog)
    if json_flag or output_format == "json":
        click.echo(json.dumps(as_json(report), ensure_ascii=False, indent=2))
    elif output_format == "github":
        annotations = as_github(report)
        if annotations:
            click.echo(annotations)
        # The summary goes where a person reading the job's log looks: the log itself.
        click.echo(as_text(report, label).splitlines()[0], err=True)
    else:
        click.echo(render(report, label))
    sys.exit(0 if report.valid else 1)


def _stdin_items():
    raw = sys.stdin.buffer.read()
    try:
        return items_from_payload(
            parse(raw, max_bytes=STDIN_MAX_BYTES, what="stdin"), max_items=STDIN_MAX_ITEMS
        )
    except (JSONInputError, PayloadError) as exc:
        raise click.UsageError(f"stdin: {exc.message}") from None


def render(report: Report, label: str) -> str:
    """A summary line with counts per collection, then one line per problem, placed."""
    return as_text(report, label)


# -- new records ----------------------------------------------------------------------


@main.command("new")
@click.argument("kind_name", metavar="KIND")
@click.argument("name")
@data_option("The dataset to add the record to.")
@click.option("--subject", help="A claim's subject, as '<collection>/<id>'.")
@click.option("--property", "prop", help="A claim's property, from the vocabulary.")
@click.option("--claimed-by", help="Who makes the claim: 'people/<id>' or 'organizations/<id>'.")
def new_command(
    kind_name: str,
    name: str,
    data_dir: Path,
    subject: str | None,
    prop: str | None,
    claimed_by: str | None,
) -> None:
    """Write a new KIND record called NAME under data/, and print its path.

    The id comes from the name (lowercase ASCII and hyphens, transliterated from other
    scripts, made unique). Every required field is present; the ones to write yourself
    hold "<fill in: ...>", which `validate` reports until each one is filled in.
    """
    from chalicelib.checks.scaffold import Claimed, ScaffoldError, new_record, write_record

    try:
        path, record = new_record(
            kind_name, name, data_dir, SchemaSet.from_dir(), Claimed(subject, prop, claimed_by)
        )
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    write_record(path, record)
    # Relative where it can be, as the contributor will type it: data/people/jane-example.json
    try:
        path = path.resolve().relative_to(Path.cwd())
    except ValueError:
        pass
    click.echo(path)


# -- releases: build, publish, list ----------------------------------------------------


def _progress(label: str, length: int):
    """A progress bar on stderr when it is a terminal; silence in CI and in pipes."""
    from chalicelib.release.progress import no_progress

    if not sys.stderr.isatty():
        return no_progress(label, length)
    return click.progressbar(length=length, label=label.ljust(16), file=sys.stderr)


def _open_store(url: str):
    from chalicelib.store import open_store

    try:
        return open_store(url)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _refuse_invalid(exc, data_dir: Path) -> None:
    click.echo(render(exc.report, str(data_dir)))
    click.echo("nothing was built: fix the errors above first", err=True)
    sys.exit(1)


@main.command("build")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="A new (or empty) folder to write the release into.",
)
@data_option("The dataset to build.")
@click.option(
    "--previous",
    "previous_url",
    metavar="STORE",
    help="Compare changes.json with the current release of this store (default: none).",
)
def build_command(out_dir: Path, data_dir: Path, previous_url: str | None) -> None:
    """Compile the dataset into one release folder, and print its version.

    Refuses (exit 1, with the validator's report) if any record is invalid. The release
    time comes from SOURCE_DATE_EPOCH, else from the last git commit touching the data.
    """
    from chalicelib.errors import DatasetError, InvalidDataset
    from chalicelib.release.build import build_release
    from chalicelib.release.cores import gc_paused
    from chalicelib.release.dataset import Dataset
    from chalicelib.release.publish import previous_release

    if out_dir.exists() and any(out_dir.iterdir()):
        raise click.UsageError(f"{out_dir} is not empty; build into a new folder")
    try:
        previous = (
            previous_release(Dataset(_open_store(previous_url), ttl=0)) if previous_url else None
        )
        # Only the version leaves the block: the compiled release is freed before the
        # collector is back on, which would otherwise walk all of it once (a second at 1M).
        with gc_paused():
            version = build_release(data_dir, out_dir, previous=previous, progress=_progress)[
                0
            ].version
    except InvalidDataset as exc:
        _refuse_invalid(exc, data_dir)
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(version)


@main.command("publish")
@click.option(
    "--to", "store_url", required=True, metavar="STORE", help="A folder path or s3://bucket/prefix."
)
@data_option("The dataset to publish.")
@click.option(
    "--workers",
    type=click.IntRange(1, 128),
    default=16,
    show_default=True,
    help="Objects written or verified at once.",
)
@signing_key_option(
    "An Ed25519 OpenSSH private key to sign the release with (default: the key in "
    "$DATASET_SIGNING_KEY, else the file $DATASET_SIGNING_KEY_FILE names; else unsigned)."
)
@click.option(
    "--replica",
    "replica_urls",
    multiple=True,
    metavar="STORE",
    help="A copy STORE replicates to (another region): a redaction purges it too. Repeatable.",
)
@click.option(
    "--offline",
    "with_offline",
    is_flag=True,
    help="Also render the offline edition and publish it beside the manifest, as "
    "releases/<version>/offline.zip (signed with the same key).",
)
def publish_command(
    store_url: str,
    data_dir: Path,
    workers: int,
    key_path: Path | None,
    replica_urls: tuple[str, ...],
    with_offline: bool,
) -> None:
    """Build the dataset, publish it to STORE, then point current.json at it.

    Prints the version. Publishing content that is already published is a no-op;
    different content under a published version is refused (exit 1), and so is an
    invalid dataset. A publish that fails leaves the previous release serving.
    """
    from chalicelib.errors import DatasetError, InvalidDataset, ObjectExists
    from chalicelib.release.publish import publish
    from chalicelib.release.signing import signer_from

    store = _open_store(store_url)
    try:
        signer = signer_from(key_path)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if signer is None:
        click.echo("publish: no signing key given; the release will not be signed", err=True)
    try:
        result = publish(
            store,
            data_dir,
            workers=workers,
            progress=_progress,
            signer=signer,
            replicas=[_open_store(url) for url in replica_urls],
        )
    except InvalidDataset as exc:
        _refuse_invalid(exc, data_dir)
    except ObjectExists as exc:
        raise click.ClickException(
            f"refused: {exc}. A published release is never overwritten; the store holds "
            "different content under this version."
        ) from None
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(result.describe(), err=True)
    if with_offline:
        _publish_offline(store, store_url, result.version, signer)
    click.echo(result.version)


def _publish_offline(store, store_url: str, version: str, signer) -> None:
    """Render the offline edition of the release just published and put it beside its
    manifest, once: a published edition is never replaced."""
    import tempfile

    from chalicelib.offline import build_edition
    from chalicelib.release.layout import OFFLINE_EDITION, release_prefix
    from chalicelib.release.publish import SIGNATURE_TYPE
    from chalicelib.release.signing import signature_path

    key = release_prefix(version) + OFFLINE_EDITION
    if store.exists(key):
        click.echo(f"the offline edition of {version} is already published", err=True)
        return
    with tempfile.TemporaryDirectory(prefix="offline-") as temp:
        edition = build_edition(store_url, Path(temp) / f"iran1988-{version}", signer)
        store.put_if_absent(key, edition.zip_path.read_bytes(), "application/zip")
        if signer is not None:
            signature = edition.zip_path.with_name(edition.zip_path.name + ".sig").read_bytes()
            store.put_if_absent(signature_path(key), signature, SIGNATURE_TYPE)
    click.echo(
        f"published the offline edition: {key} ({edition.zip_bytes} bytes, {edition.pages} pages)",
        err=True,
    )


@main.command("releases")
@click.option(
    "--store",
    "store_url",
    required=True,
    metavar="STORE",
    envvar="DATASET_STORE",
    help="A folder path or s3://bucket/prefix (default: $DATASET_STORE).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
def releases_command(store_url: str, as_json: bool) -> None:
    """List the releases published in STORE, newest first."""
    from chalicelib.errors import DatasetError, ReleaseNotFound
    from chalicelib.release.dataset import Dataset

    dataset = Dataset(_open_store(store_url), ttl=0)
    try:
        releases = dataset.releases()
        try:
            current = dataset.current().version
        except ReleaseNotFound:
            current = None
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(
            json.dumps({"current": current, "releases": releases}, ensure_ascii=False, indent=2)
        )
        return
    if not releases:
        click.echo("no releases published", err=True)
    for release in releases:
        mark = "  (current)" if release["version"] == current else ""
        records = sum(release["counts"].values())
        click.echo(
            f"{release['version']}  {release['published']}  {records} records  "
            f"{release['summary']}{mark}"
        )


# -- verify ------------------------------------------------------------------------------


@main.command("verify")
@click.argument("target", required=False, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="With a downloaded FILE: the manifest.json it came with (its .sig beside it).",
)
@click.option("--store", "store_url", metavar="STORE", help="Every release of a store.")
@click.option("--url", "api_url", metavar="URL", help="The API at URL: its downloads.")
@click.option(
    "--sample",
    type=click.IntRange(1),
    help="With --store: re-hash this many files, drawn with --seed, instead of all.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The sample's seed.")
@click.option(
    "--keys",
    "keys_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The allowed-signers file of trusted keys (default: the repository's KEYS).",
)
@report_formats("As validate: text for people, json, or GitHub workflow commands.")
def verify_command(
    target: Path | None,
    manifest_path: Path | None,
    store_url: str | None,
    api_url: str | None,
    sample: int | None,
    seed: int,
    keys_path: Path | None,
    output_format: str,
    json_flag: bool,
) -> None:
    """Check a copy of the dataset against its signed manifest.

    TARGET is a release folder or an offline edition (manifest.json at its top), or one
    downloaded file with --manifest; or give --store STORE (every release, the fixity audit)
    or --url URL (the API's downloads). The manifest's signature is checked against KEYS,
    then every file is re-hashed. Exit codes: 0 verified, 2 usage, 3 a changed file,
    4 a missing file, 5 an extra file, 6 a bad signature, 7 an unknown key, 8 unsigned,
    9 a stale listing of releases; with several problems, the first of 6, 7, 8, 9, 3, 4, 5.
    """
    from chalicelib.release import verify
    from chalicelib.release.signing import KEYS_FILE, read_keys

    chosen = [x for x in (target, store_url, api_url) if x is not None]
    if len(chosen) != 1:
        raise click.UsageError("give one of: a folder or file, --store STORE, --url URL")
    if manifest_path is not None and (target is None or not target.is_file()):
        raise click.UsageError("--manifest goes with a downloaded FILE")
    if sample is not None and store_url is None:
        raise click.UsageError("--sample goes with --store")
    try:
        keys = read_keys(keys_path or KEYS_FILE)
    except (OSError, ValueError) as exc:
        raise click.UsageError(f"cannot read the keys: {exc}") from None
    if store_url is not None:
        report = verify.verify_store(
            _open_store(store_url), keys, sample=sample, seed=seed, label=store_url
        )
    elif api_url is not None:
        from chalicelib.release.verify_http import verify_api

        report = verify_api(api_url, keys)
    elif target is None:  # one of the three is given: checked above
        raise click.UsageError("give one of: a folder or file, --store STORE, --url URL")
    elif target.is_dir():
        report = verify.VerifyReport(str(target))
        verify.verify_release(verify.FolderSource(target), keys, report)
    else:
        if manifest_path is None:
            raise click.UsageError(
                f"{target} is a file: give the manifest it came with, --manifest"
            )
        report = verify.VerifyReport(str(target))
        verify.verify_file(target, manifest_path, keys, report)
    if json_flag or output_format == "json":
        click.echo(json.dumps(verify.as_json(report), ensure_ascii=False, indent=2))
    elif output_format == "github":
        if report.problems:
            click.echo(verify.as_github(report))
        click.echo(verify.as_text(report).splitlines()[0], err=True)
    else:
        click.echo(verify.as_text(report))
    sys.exit(report.exit_code)


# -- the offline edition -----------------------------------------------------------------


@main.command("offline")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="A new folder for the edition; the zip is written beside it, as <folder>.zip.",
)
@click.option(
    "--store",
    "store_url",
    metavar="STORE",
    envvar="DATASET_STORE",
    help="The store whose current release is rendered (default: $DATASET_STORE, else data/ "
    "is built into a temporary store first).",
)
@data_option("The dataset to build when no store is given.")
@signing_key_option("Sign the edition's manifest and its zip (default: as publish finds its key).")
def offline_command(
    out_dir: Path, store_url: str | None, data_dir: Path, key_path: Path | None
) -> None:
    """Render every page of a release, in English and Persian, into static files.

    The folder opens from disk (file://) or any static host; its links are relative. It
    holds the pages, the downloads, the stylesheet and a manifest, and a zip of the same
    files is written beside it. Prints the folder, the zip, and their sizes.
    """
    import tempfile

    from chalicelib.errors import DatasetError, InvalidDataset
    from chalicelib.offline import build_edition
    from chalicelib.release.publish import publish
    from chalicelib.release.signing import signer_from

    if out_dir.exists():
        raise click.UsageError(f"{out_dir} exists; the edition goes into a new folder")
    try:
        signer = signer_from(key_path)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="offline-store-") as temp:
        if store_url is None:
            try:
                publish(_open_store(temp), data_dir, progress=_progress)
            except InvalidDataset as exc:
                _refuse_invalid(exc, data_dir)
            except DatasetError as exc:
                raise click.ClickException(str(exc)) from None
            store_url = temp
        edition = build_edition(store_url, out_dir, signer)
    click.echo(
        f"offline edition of {edition.version}: {edition.pages} pages, {edition.files} files, "
        f"{edition.bytes} bytes in {edition.folder}; {edition.zip_bytes} bytes in "
        f"{edition.zip_path}{' (signed)' if edition.signed else ''}; {edition.seconds:.1f} s",
        err=True,
    )
    click.echo(edition.folder)
