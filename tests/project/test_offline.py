"""The offline edition: the API's own pages as static files, in English and Persian. It opens
from disk in headless Chromium, every link lands on a file inside it, it verifies against its
signed manifest, its zip is signed, and it holds no withheld value."""

from __future__ import annotations

import gzip
import html
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from chalicelib.cli import main
from chalicelib.offline import build_edition
from chalicelib.release.publish import publish
from chalicelib.store import open_store
from support.browser import chromium, open_page
from support.harmdata import harm_dataset
from support.leaks import artifacts, leaks
from support.minidata import RELEASE_EPOCH, mini, with_tombstones, write
from support.signing import make_key, ssh_verify

LINK = re.compile(r'\s(?:href|src|action)="([^"]*)"')


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    root = tmp_path_factory.mktemp("offline")
    key = make_key(root / "keys")
    store = root / "store"
    publish(
        open_store(str(store)), write(with_tombstones(mini()), root / "data"), epoch=RELEASE_EPOCH
    )
    return build_edition(str(store), root / "edition", key.signer), key


def local_links(folder: Path) -> list[tuple[Path, str, Path]]:
    """(page, link, the file it lands on) for every link that is not to another site."""
    found = []
    for page in sorted(folder.rglob("*.html")):
        for raw in LINK.findall(page.read_text(encoding="utf-8")):
            link = html.unescape(raw)
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#"):
                continue
            found.append((page, link, (page.parent / unquote(parts.path)).resolve()))
    return found


def test_every_link_lands_on_a_file_inside_the_edition(edition):
    built, _ = edition
    folder = built.folder.resolve()
    links = local_links(folder)
    assert len(links) > 500
    outside = [(p.name, link) for p, link, target in links if not target.is_relative_to(folder)]
    missing = [(p.name, link) for p, link, target in links if not target.is_file()]
    assert outside == [] and missing == []
    assert not [link for _, link, _ in links if link.startswith("/")], "absolute links"


def test_both_languages_every_record_the_downloads_schemas_and_stylesheet(edition):
    built, _ = edition
    folder = built.folder
    for lang_root in (folder, folder / "fa"):
        assert (lang_root / "index.html").is_file()
        assert (lang_root / "people" / "mostafa-pour-mohammadi.html").is_file()
        assert (lang_root / "events" / "index.html").is_file()
    assert (folder / "style.css").is_file() and (folder / "files" / "all.sqlite").is_file()
    assert (folder / "schemas" / "person.schema.json").is_file()
    persian = (folder / "fa" / "index.html").read_text(encoding="utf-8")
    assert 'lang="fa"' in persian and 'dir="rtl"' in persian


def test_a_merged_record_sends_the_reader_on_and_a_withdrawn_one_says_why(edition):
    built, _ = edition
    moved = (built.folder / "people" / "pour-mohammadi-duplicate.html").read_text(encoding="utf-8")
    assert 'url=mostafa-pour-mohammadi.html"' in moved
    tombstones = [
        p for p in built.folder.glob("*/*.html") if "withdrawn" in p.read_text(encoding="utf-8")
    ]
    assert tombstones


def test_the_edition_verifies_and_its_zip_is_signed(edition):
    built, key = edition
    result = CliRunner().invoke(main, ["verify", str(built.folder), "--keys", str(key.keys)])
    assert result.exit_code == 0, result.output
    assert "1 signatures held" in result.output
    signature = built.zip_path.with_name(built.zip_path.name + ".sig")
    assert ssh_verify(key.keys, signature, built.zip_path.read_bytes()).returncode == 0
    with zipfile.ZipFile(built.zip_path) as archive:
        names = {n.split("/", 1)[1] for n in archive.namelist()}
        on_disk = {
            p.relative_to(built.folder).as_posix() for p in built.folder.rglob("*") if p.is_file()
        }
        assert names == on_disk
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_page_changed_in_the_edition_fails_verification(edition, tmp_path):
    import shutil

    built, key = edition
    copy = tmp_path / "copy"
    shutil.copytree(built.folder, copy)
    page = copy / "people" / "mostafa-pour-mohammadi.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Pour", "Poor", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(copy), "--keys", str(key.keys)])
    assert result.exit_code == 3 and "[changed]" in result.output


def test_it_opens_from_disk_in_chromium_in_both_languages(edition):
    built, _ = edition
    with chromium() as browser:
        open_page(browser, (built.folder / "index.html").as_uri())
        assert browser.find_element("css selector", "h1").text
        # The stylesheet loaded from disk: its custom property is in effect.
        ink = "return getComputedStyle(document.documentElement).getPropertyValue('--ink')"
        assert browser.execute_script(ink).strip() == "#1d1d1f"
        browser.find_element("css selector", 'a[href="people/index.html"]').click()
        browser.find_element("css selector", 'a[href="mostafa-pour-mohammadi.html"]').click()
        assert browser.current_url.endswith("/people/mostafa-pour-mohammadi.html")
        assert "Pour" in browser.find_element("css selector", "h1").text
        open_page(
            browser, (built.folder / "fa" / "people" / "mostafa-pour-mohammadi.html").as_uri()
        )
        assert browser.execute_script("return document.documentElement.dir") == "rtl"
        assert browser.execute_script("return document.documentElement.lang") == "fa"
        assert browser.execute_script("return getComputedStyle(document.body).direction") == "rtl"
        assert browser.find_element("css selector", "h1").text


def test_no_withheld_value_is_in_the_edition_or_its_zip(tmp_path):
    store = tmp_path / "store"
    publish(open_store(str(store)), write(harm_dataset(), tmp_path / "data"), epoch=RELEASE_EPOCH)
    built = build_edition(str(store), tmp_path / "edition")
    files = artifacts(built.folder)
    with zipfile.ZipFile(built.zip_path) as archive:
        for name in archive.namelist():
            body = archive.read(name)
            files["zip:" + name] = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    assert len(files) > 100
    assert leaks(files) == []
    # Without the redaction, the same search finds them: the test can fail.
    unredacted = tmp_path / "unredacted"
    publish(
        open_store(str(unredacted)),
        write(harm_dataset(withheld=False), tmp_path / "d2"),
        epoch=RELEASE_EPOCH,
    )
    seen = build_edition(str(unredacted), tmp_path / "seen")
    with zipfile.ZipFile(seen.zip_path) as archive:
        assert leaks({n: archive.read(n) for n in archive.namelist() if n.endswith(".html")})


def test_the_command_line_builds_it_and_refuses_an_existing_folder(edition, tmp_path):
    built, _ = edition
    result = CliRunner().invoke(main, ["offline", "--out", str(built.folder), "--store", "x"])
    assert result.exit_code == 2 and "exists" in result.output


def test_publish_offline_puts_a_signed_edition_beside_the_manifest_and_a_redaction_purges_it(
    tmp_path, monkeypatch
):
    key = make_key(tmp_path / "keys")
    store = tmp_path / "store"

    def run(*args):
        result = CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(RELEASE_EPOCH))
    data = write(harm_dataset(withheld=False), tmp_path / "d1")
    run("publish", "--to", store, "--data", data, "--signing-key", key.private, "--offline")
    (first,) = [p.name for p in (store / "releases").iterdir()]
    edition = store / "releases" / first / "offline.zip"
    assert (
        ssh_verify(key.keys, edition.with_name("offline.zip.sig"), edition.read_bytes()).returncode
        == 0
    )
    assert run("verify", "--store", store, "--keys", key.keys).exit_code == 0
    with zipfile.ZipFile(edition) as archive:
        assert leaks({n: archive.read(n) for n in archive.namelist() if n.endswith(".html")})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(RELEASE_EPOCH + 86_400))
    run(
        "publish",
        "--to",
        store,
        "--data",
        write(harm_dataset(), tmp_path / "d2"),
        "--signing-key",
        key.private,
    )
    assert not edition.exists() and not edition.with_name("offline.zip.sig").exists()
    assert run("verify", "--store", store, "--keys", key.keys).exit_code == 0
