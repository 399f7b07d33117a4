"""`python -m chalicelib build`: one reproducible, content-addressed release folder."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from chalicelib.cli import main
from chalicelib.errors import BuildError, InvalidDataset
from chalicelib.model.schemas import SchemaSet
from chalicelib.release import build as release_build
from chalicelib.release import cores
from chalicelib.release.build import (
    build_release,
    compile_data,
    source_date_epoch,
)
from chalicelib.release.compiled import PreviousRelease
from chalicelib.release.layout import SHARD_TARGET, sha256_hex, shard_count, shard_of
from support.minidata import RELEASE_EPOCH, mini, with_tombstones, write


def build(data: Path, out: Path, *extra: str):
    return CliRunner().invoke(
        main, ["build", "--out", str(out), "--data", str(data), *extra], catch_exceptions=False
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_bytes())


def directory_entry(folder: Path, collection: str, record_id: str) -> dict:
    shards = manifest_of(folder)["shards"]["directory"][collection]
    shard = folder / "directory" / collection / f"{shard_of(record_id, shards)}.json"
    return json.loads(shard.read_bytes())[record_id]


def record_bytes(folder: Path, collection: str, record_id: str) -> bytes:
    """A live record's bytes, where its directory entry says they are."""
    entry = directory_entry(folder, collection, record_id)
    chunk = (folder / "index" / collection / f"records-{entry['chunk']:05d}.jsonl").read_bytes()
    return chunk[entry["start"] : entry["start"] + entry["bytes"]]


# -- the command ------------------------------------------------------------------------


def test_build_prints_only_the_version_and_exits_0(data_dir, tmp_path):
    result = build(data_dir, tmp_path / "out")
    assert result.exit_code == 0
    assert result.output.splitlines() == [manifest_of(tmp_path / "out")["version"]]


def test_invalid_record_blocks_the_build_with_exit_1_and_the_validator_report(
    write_data, dataset, release_time, tmp_path
):
    record_ = next(r for r in dataset["places"] if r["id"] == "evin-prison")
    record_["within"] = "places/shiraz"
    result = build(write_data(dataset), tmp_path / "out")
    assert result.exit_code == 1
    assert "INVALID" in result.stdout.splitlines()[0]
    assert "[reference] places/shiraz does not exist" in result.stdout
    assert not (tmp_path / "out").exists()


def test_build_refuses_a_folder_that_is_not_empty(data_dir, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "stray.txt").write_text("x")
    assert build(data_dir, tmp_path / "out").exit_code == 2


# -- reproducible and content-addressed --------------------------------------------------


def test_building_the_same_data_twice_gives_byte_identical_files(data_dir, tmp_path):
    build(data_dir, tmp_path / "one")
    build(data_dir, tmp_path / "two")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


@pytest.fixture
def forking(monkeypatch):
    """Builds of any size shared over two processes, as a large dataset's are."""
    if not sys.platform.startswith("linux"):
        pytest.skip("builds fork only on Linux")
    monkeypatch.setattr(cores, "MIN_RECORDS", 0)
    monkeypatch.setattr(cores, "cores", lambda: 2)


def test_a_build_shared_over_processes_writes_the_bytes_one_process_writes(
    write_data, release_time, tmp_path, monkeypatch, request
):
    data = write_data(with_tombstones(with_victims(mini(), 2500)))
    build(data, tmp_path / "one")
    request.getfixturevalue("forking")
    forked = []
    monkeypatch.setattr(
        cores, "_Child", lambda task, made=cores._Child: forked.append(1) or made(task)
    )
    read_ahead = []
    monkeypatch.setattr(
        release_build,
        "ReadAhead",
        lambda *args, made=release_build.ReadAhead: read_ahead.append(1) or made(*args),
    )
    build(data, tmp_path / "two")
    assert len(forked) >= 3  # reading, checking and writing each forked
    assert read_ahead == [1]  # and the record files were read ahead of the readers
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_a_build_shared_over_processes_reports_what_one_process_reports(
    write_data, release_time, monkeypatch, request
):
    dataset = with_victims(mini(), 2500)
    dataset["people"][5]["nickname"] = "x"
    dataset["people"][1200]["sources"] = [{"source": "sources/nowhere"}]
    data = write_data(dataset)
    renamed = data / "people" / "victim-2300.json"
    renamed.write_text(renamed.read_text().replace("victim-2300", "victim-0001"))

    def reported() -> list[tuple]:
        with pytest.raises(InvalidDataset) as refused:
            compile_data(data)
        return [
            (i.origin, p.pointer, p.keyword, p.message)
            for i in refused.value.report.items
            for p in i.errors + i.warnings
        ]

    alone = reported()
    request.getfixturevalue("forking")
    assert reported() == alone
    assert {keyword for _, _, keyword, _ in alone} == {
        "additionalProperties",
        "reference",
        "fileName",
        "uniqueId",
    }


def test_version_is_the_release_day_and_a_hash_of_the_content(data_dir):
    compiled = compile_data(data_dir)
    assert compiled.version == "20261127-" + compiled.content_sha256[:8]


def test_reformatting_a_record_file_keeps_the_version(data_dir):
    person = data_dir / "people" / "mostafa-pour-mohammadi.json"
    before = compile_data(data_dir).version
    person.write_text(json.dumps(json.loads(person.read_text()), sort_keys=True))
    assert compile_data(data_dir).version == before


def test_changing_one_record_changes_the_version_and_changes_json_names_only_it(
    data_dir, write_data, dataset, tmp_path
):
    first, _first_manifest = build_release(data_dir, tmp_path / "one")
    record_ = next(r for r in dataset["places"] if r["id"] == "tehran")
    record_["description"] = "The capital of Iran."
    second, _ = build_release(
        write_data(dataset),
        tmp_path / "two",
        previous=PreviousRelease(first.version, first.entries),
    )
    assert second.version != first.version
    changes = json.loads((tmp_path / "two" / "files" / "changes.json").read_bytes())
    assert changes["previous"] == first.version
    assert changes["summary"] == {
        "added": 0,
        "changed": 1,
        "removed": 0,
        "withdrawn": 0,
        "merged": 0,
    }
    assert changes["changed"]["places"] == ["tehran"]
    assert all(ids == [] for c, ids in changes["changed"].items() if c != "places")


def test_release_time_comes_from_source_date_epoch(data_dir, tmp_path):
    compiled, manifest = build_release(data_dir, tmp_path / "out")
    assert compiled.epoch == RELEASE_EPOCH
    assert manifest["published"] == "2026-11-27T10:00:00Z"


def test_without_source_date_epoch_the_time_is_the_last_commit_touching_data(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    repo = tmp_path / "repo"
    data = write(mini(), repo / "data")
    (repo / "README").write_text("unrelated")
    git = [
        "git",
        "-C",
        str(repo),
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "-c",
        "commit.gpgsign=false",
    ]
    env = {
        "GIT_COMMITTER_DATE": "2026-10-01T12:00:00Z",
        "GIT_AUTHOR_DATE": "2026-10-01T12:00:00Z",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(tmp_path),
    }
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    subprocess.run(git + ["add", "data"], check=True, env=env)
    subprocess.run(git + ["commit", "-q", "-m", "data"], check=True, env=env)
    later = {**env, "GIT_COMMITTER_DATE": "2026-10-05T12:00:00Z"}
    subprocess.run(git + ["add", "README"], check=True, env=later)
    subprocess.run(git + ["commit", "-q", "-m", "not data"], check=True, env=later)
    assert source_date_epoch(data) == 1790856000  # 2026-10-01T12:00:00Z, not the later commit


def test_without_source_date_epoch_or_git_history_the_build_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = write(mini(), tmp_path / "data")
    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH"):
        compile_data(data)
    result = build(data, tmp_path / "out")
    assert result.exit_code == 1
    assert "set SOURCE_DATE_EPOCH" in result.output


# -- the layout -----------------------------------------------------------------------


def test_release_holds_manifest_schemas_directory_index_and_downloads_and_no_record_objects(
    data_dir, tmp_path
):
    build(data_dir, tmp_path / "out")
    files = tree(tmp_path / "out")
    assert "manifest.json" in files
    assert "schemas/person.schema.json" in files and "schemas/tombstone.schema.json" in files
    assert not [p for p in files if p.startswith("records/")]
    assert (
        json.loads(record_bytes(tmp_path / "out", "people", "mostafa-pour-mohammadi"))["name"]
        == "Mostafa Pour Mohammadi"
    )
    assert "directory/people/0.json" in files
    assert "catalog/claim-keys/0.json" in files
    assert "index/claims/meta.json" in files
    assert {p for p in files if p.startswith("files/")} == {
        f"files/{name}"
        for name in (
            "people.jsonl.gz",
            "organizations.jsonl.gz",
            "places.jsonl.gz",
            "events.jsonl.gz",
            "sources.jsonl.gz",
            "claims.jsonl.gz",
            "all.jsonl.gz",
            "people.csv",
            "organizations.csv",
            "places.csv",
            "events.csv",
            "sources.csv",
            "claims.csv",
            "claims-sources.csv",
            "victims.csv",
            "tombstones.csv",
            "changes.json",
            "digests.csv",
            "all.sqlite",
            "metadata.json",
            "datapackage.json",
        )
    }


def test_records_are_canonical_compact_json(data_dir, tmp_path):
    build(data_dir, tmp_path / "out")
    body = record_bytes(tmp_path / "out", "places", "evin-prison")
    assert body == json.dumps(
        json.loads(body), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def test_manifest_lists_every_file_with_bytes_and_sha256(data_dir, tmp_path):
    build(data_dir, tmp_path / "out")
    files = tree(tmp_path / "out")
    manifest = manifest_of(tmp_path / "out")
    listed = manifest["files"]
    assert set(listed) == set(files) - {"manifest.json"}
    for path, info in listed.items():
        assert info == {"bytes": len(files[path]), "sha256": sha256_hex(files[path])}


def test_manifest_carries_counts_licence_citation_and_previous(data_dir, tmp_path):
    build(data_dir, tmp_path / "out")
    manifest = manifest_of(tmp_path / "out")
    assert manifest["counts"]["people"] == {"records": 1, "tombstones": 1}
    assert manifest["counts"]["claims"] == {"records": 3, "tombstones": 0}
    assert manifest["license"]["name"] == "CC-BY-4.0"
    assert "CC BY-NC-ND 4.0" in manifest["license"]["note"]
    assert manifest["version"] in manifest["cite"]["text"]
    assert manifest["cite"]["version"] == manifest["version"]
    assert manifest["previous"] is None


def test_each_live_record_is_located_and_verifiable_through_its_directory_entry(
    data_dir, dataset, tmp_path
):
    build(data_dir, tmp_path / "out")
    for collection, records in dataset.items():
        for record_ in records:
            if "tombstone" in record_:
                continue
            entry = directory_entry(tmp_path / "out", collection, record_["id"])
            assert set(entry) == {"sha256", "chunk", "start", "bytes"}
            body = record_bytes(tmp_path / "out", collection, record_["id"])
            assert entry["sha256"] == sha256_hex(body)
            assert json.loads(body) == record_


def with_victims(dataset: dict, count: int) -> dict:
    """``dataset`` with ``count`` more people, enough to fill several chunks and hands."""
    dataset["people"] += [
        {
            "id": f"victim-{n:04d}",
            "name": f"Victim {n}",
            "names": [{"name": f"Victim {n}", "lang": "en"}],
            "categories": ["victim"],
            "sources": [{"source": "sources/amnesty-2018-report"}],
        }
        for n in range(count)
    ]
    return dataset


def test_directory_entries_cover_every_line_of_every_chunk(write_data, release_time, tmp_path):
    dataset = with_victims(mini(), 1500)
    out = tmp_path / "out"
    build(write_data(dataset), out)
    lines = []
    for chunk in sorted((out / "index" / "people").glob("records-*.jsonl")):
        start = 0
        for line in chunk.read_bytes().splitlines(keepends=True):
            lines.append((int(chunk.stem.split("-")[1]), start, len(line) - 1))
            start += len(line)
    entries = [
        directory_entry(out, "people", r["id"])
        for r in sorted(dataset["people"], key=lambda r: r["id"])
    ]
    assert [(e["chunk"], e["start"], e["bytes"]) for e in entries] == lines
    assert {chunk for chunk, _, _ in lines} == {0, 1}


def test_directory_shards_grow_with_the_collection_and_stay_small(
    write_data, release_time, tmp_path
):
    dataset = mini()
    dataset["people"] += [
        {
            "id": f"victim-{n}",
            "name": f"Victim {n}",
            "names": [{"name": f"Victim {n}", "lang": "en"}],
            "categories": ["victim"],
            "sources": [{"source": "sources/amnesty-2018-report"}],
        }
        for n in range(3 * SHARD_TARGET)
    ]
    build(write_data(dataset), tmp_path / "out")
    shards = manifest_of(tmp_path / "out")["shards"]["directory"]
    assert shards["people"] == shard_count(3 * SHARD_TARGET + 1) == 4
    assert shards["places"] == 1
    sizes = [
        len(json.loads((tmp_path / "out" / "directory" / "people" / f"{n}.json").read_bytes()))
        for n in range(4)
    ]
    assert sum(sizes) == 3 * SHARD_TARGET + 1
    assert max(sizes) <= 2 * SHARD_TARGET


def test_shard_count_is_a_power_of_two_keeping_the_average_at_most_the_target():
    assert [shard_count(n) for n in (0, 1, SHARD_TARGET, SHARD_TARGET + 1, 100_000)] == [
        1,
        1,
        1,
        2,
        512,
    ]


# -- tombstones -------------------------------------------------------------------------


def test_tombstones_are_kept_at_their_id_and_in_the_directory(data_dir, tmp_path):
    build(data_dir, tmp_path / "out")
    out = tmp_path / "out"
    merged = directory_entry(out, "people", "pour-mohammadi-duplicate")
    assert set(merged) == {"sha256", "tombstone"}
    assert merged["tombstone"]["merged_into"] == "people/mostafa-pour-mohammadi"
    shard = json.loads((out / "directory" / "places" / "0.json").read_bytes())
    assert shard["unverified-grave-site"]["tombstone"]["action"] == "withdrawn"


def test_tombstones_are_listed_in_changes_and_kept_out_of_the_record_downloads(data_dir, tmp_path):
    build(data_dir, tmp_path / "out")
    files = tmp_path / "out" / "files"
    changes = json.loads((files / "changes.json").read_bytes())
    assert changes["merged"]["people"] == [
        {
            "id": "pour-mohammadi-duplicate",
            "action": "merged",
            "date": "2026-11-01",
            "merged_into": "people/mostafa-pour-mohammadi",
            "reason": "The same person as mostafa-pour-mohammadi.",
        }
    ]
    assert [t["id"] for t in changes["withdrawn"]["places"]] == ["unverified-grave-site"]
    people = gzip.decompress((files / "people.jsonl.gz").read_bytes()).decode().splitlines()
    assert [json.loads(line)["id"] for line in people] == ["mostafa-pour-mohammadi"]
    assert (files / "tombstones.csv").read_text().splitlines()[1:] == [
        "people,pour-mohammadi-duplicate,merged,The same person as mostafa-pour-mohammadi.,"
        "2026-11-01,people/mostafa-pour-mohammadi",
        "places,unverified-grave-site,withdrawn,The only source could not be verified.,2026-11-02,",
    ]


def test_a_tombstone_replacing_a_live_record_is_listed_as_withdrawn_not_removed(
    data_dir, write_data, dataset, tmp_path
):
    first, _ = build_release(data_dir, tmp_path / "one")
    dataset["places"] = [p for p in dataset["places"] if p["id"] != "tehran"] + [
        {
            "id": "tehran",
            "tombstone": {"action": "withdrawn", "reason": "Test.", "date": "2026-11-03"},
        }
    ]
    next(p for p in dataset["places"] if p["id"] == "evin-prison").pop("within")
    build_release(
        write_data(dataset),
        tmp_path / "two",
        previous=PreviousRelease(first.version, first.entries),
    )
    changes = json.loads((tmp_path / "two" / "files" / "changes.json").read_bytes())
    assert [t["id"] for t in changes["withdrawn"]["places"]] == ["tehran"]
    assert changes["changed"]["places"] == ["evin-prison"]
    assert changes["removed"]["places"] == []


def test_progress_bars_only_when_stderr_is_a_terminal(monkeypatch):
    import io
    import sys

    from chalicelib.cli import _progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with _progress("Writing records", 10) as bar:
        bar.update(10)
    assert sys.stderr.getvalue() == ""
    monkeypatch.setattr(sys, "stderr", Terminal())
    with _progress("Writing records", 10) as bar:
        bar.update(10)
    assert "Writing records" in sys.stderr.getvalue()


def test_the_build_reports_exactly_what_the_validator_reports():
    from chalicelib.checks.validate import validate
    from chalicelib.model.schemas import read_schema_dir
    from chalicelib.release.precheck import PrecheckedSchemaSet
    from support.minidata import items

    dataset = mini()
    dataset["places"][0]["type"] = "castle"
    dataset["claims"][0]["sources"][0]["accessed"] = "2020-13-45"
    dataset["people"][0]["nickname"] = "x"

    def problems(schemas):
        report = validate(items(dataset), schemas)
        return [(i.origin, p.pointer, p.keyword, p.message) for i in report.items for p in i.errors]

    plain = problems(SchemaSet.from_dir())
    assert len(plain) == 3
    assert problems(PrecheckedSchemaSet(read_schema_dir())) == plain


@pytest.mark.parametrize("shared", [False, True], ids=["one process", "forked"])
def test_a_valid_build_carries_the_warnings_the_validator_gives(
    write_data, release_time, monkeypatch, request, shared
):
    from chalicelib.checks.intake import load_paths
    from chalicelib.checks.validate import validate

    dataset = mini()
    twin = dict(dataset["claims"][0], id="a-twin-of-the-first-claim")
    dataset["claims"].append(twin)
    data = write_data(dataset)
    if shared:
        request.getfixturevalue("forking")
    expected = [
        (i.origin, i.index, [p.to_dict() for p in i.warnings])
        for i in validate(load_paths([data]), SchemaSet.from_dir()).items
        if i.warnings
    ]
    with compile_data(data) as compiled:
        found = [
            (i.origin, i.index, [p.to_dict() for p in i.warnings]) for i in compiled.report.items
        ]
    assert len(expected) == 2  # each twin names the other
    assert found == expected
