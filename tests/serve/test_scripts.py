"""Latin-script content on a Persian page: isolated, and marked English."""

from __future__ import annotations

from chalicelib.serve.pages.scripts import isolate, mark_latin_runs


def test_on_an_english_page_text_is_only_isolated_and_escaped():
    assert isolate("Evin <b>", "en") == "<bdi>Evin &lt;b&gt;</bdi>"


def test_latin_text_on_a_persian_page_is_marked_english_left_to_right():
    assert (
        isolate("Human Rights Watch", "fa") == '<bdi lang="en" dir="ltr">Human Rights Watch</bdi>'
    )


def test_persian_text_and_bare_numbers_are_not_marked():
    assert isolate("زندان اوین", "fa") == "<bdi>زندان اوین</bdi>"
    assert isolate("1988-08-28", "fa", "nobreak") == '<bdi class="nobreak">1988-08-28</bdi>'


def test_each_latin_run_inside_persian_text_is_marked_on_its_own():
    shown = isolate("گزارش Amnesty International دربارهٔ Evin", "fa")
    assert shown == (
        '<bdi>گزارش <bdi lang="en" dir="ltr">Amnesty International</bdi> دربارهٔ '
        '<bdi lang="en" dir="ltr">Evin</bdi></bdi>'
    )


def test_a_persian_page_s_own_latin_words_are_marked_and_english_elements_left_alone():
    page = (
        '<html lang="fa"><head><title>JSON</title></head><body><p>فایل JSON و &amp; '
        '<a href="/x">EDTF</a></p><pre lang="en">BibTeX</pre><input value="Q"></body></html>'
    )
    assert mark_latin_runs(page, "fa") == (
        '<html lang="fa"><head><title>JSON</title></head><body><p>فایل '
        '<span lang="en" dir="ltr">JSON</span> و &amp; <a href="/x"><span lang="en" dir="ltr">'
        'EDTF</span></a></p><pre lang="en">BibTeX</pre><input value="Q"></body></html>'
    )
    assert mark_latin_runs(page, "en") == page
