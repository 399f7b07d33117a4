"""Latin-script content on a Persian page: isolated, and marked English."""

from __future__ import annotations

from chalicelib.serve.pages.scripts import isolate


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
