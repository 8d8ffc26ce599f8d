"""Recipe import under attack: a ReDoS page, oversize and deeply nested files, absurd numbers,
and random documents are refused with a message; the import never goes to the network."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.io.recipe_import import (
    MAX_FILE_BYTES,
    MAX_PREP_MINUTES,
    RecipeImportError,
    read_recipes,
)

RECIPE = {"@type": "Recipe", "name": "Natto toast", "recipeIngredient": ["1 pack natto"]}


def refused(name: str, data: bytes) -> str:
    with pytest.raises(RecipeImportError) as caught:
        read_recipes(name, data)
    return str(caught.value)


def test_a_page_of_unclosed_script_tags_is_scanned_once_and_refused():
    page = b"<script " * (250 * 1024 // 8)  # froze every session for 19.5 s with the regex
    assert "no JSON-LD block" in refused("page.html", page)


def test_an_unclosed_tag_in_a_recipe_name_is_kept_as_text():
    name = "Toast " + "<" * 150
    page = ('<script type="application/ld+json">'
            + json.dumps({**RECIPE, "name": name, "recipeIngredient": ["<" * 100_000]})
            + "</script>").encode()
    [draft] = read_recipes("page.html", page)
    assert (draft.name, draft.lines) == (name, ("<" * 100_000,))


def test_json_ld_inside_an_html_page_is_found_after_other_scripts():
    page = ("<html><script>var a = '<b>';</script><script type='application/ld+json'>"
            + json.dumps(RECIPE) + "</script></html>").encode()
    assert [d.name for d in read_recipes("page.html", page)] == ["Natto toast"]


def test_a_file_above_the_size_limit_is_refused_before_reading():
    assert "larger than" in refused("big.json", b" " * (MAX_FILE_BYTES + 1))


def test_deep_nesting_is_refused_with_a_message():
    assert "nested too deeply" in refused("deep.json", b"[" * 100_000 + b"]" * 100_000)
    steps = json.dumps(RECIPE)[:-1] + ", \"recipeInstructions\": " + "[" * 5000 + "]" * 5000 + "}"
    assert "nested too deeply" in refused("steps.json", steps.encode())


@pytest.mark.parametrize("duration", ["P99999999999999999999D", "PT9999999H", "P8D"])
def test_an_absurd_duration_gives_no_prep_time(duration):
    [draft] = read_recipes("r.json", json.dumps({**RECIPE, "totalTime": duration}).encode())
    assert draft.prep_minutes is None


def test_a_week_long_duration_is_the_limit():
    [draft] = read_recipes("r.json", json.dumps({**RECIPE, "totalTime": "P7D"}).encode())
    assert draft.prep_minutes == MAX_PREP_MINUTES


@pytest.mark.parametrize("servings", ["1e400", "0", "-3", "1000", "true"])
def test_servings_outside_1_to_100_are_refused(servings):
    text = json.dumps(RECIPE)[:-1] + f', "recipeYield": {servings}}}'
    assert "servings" in refused("r.json", text.encode())


def test_a_long_name_and_too_many_lines_are_refused():
    assert "longer than" in refused("r.json", json.dumps({**RECIPE, "name": "x" * 201}).encode())
    lines = {**RECIPE, "recipeIngredient": ["1 egg"] * 201}
    assert "ingredient lines" in refused("r.json", json.dumps(lines).encode())
    csv = "recipe_name,ingredient,prep_minutes\n" + f"a,1 egg,{10**30}\n"
    assert "prep_minutes" in refused("r.csv", csv.encode())


def test_parsing_a_line_never_downloads_nltk_data():
    code = ("from planner.io.recipe_import import parse_line; "
            "print(parse_line('1 cup rice').unit)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip().endswith("cup")
    assert "[nltk_data]" not in done.stderr, done.stderr


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["@type", "name", "recipeIngredient", "recipeYield",
                                       "totalTime", "recipeInstructions", "@graph",
                                       "recipeCategory", "text"]), inner, max_size=6),
    max_leaves=30)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=json_values, as_html=st.booleans())
def test_any_json_document_is_read_or_refused_with_a_message(doc, as_html):
    text = json.dumps({"@type": "Recipe", "x": doc} if isinstance(doc, list) else doc)
    if as_html:
        text = f"<html><script type='application/ld+json'>{text}</script>"
    try:
        drafts = read_recipes("r.html" if as_html else "r.json", text.encode())
    except RecipeImportError as exc:
        assert str(exc)
    else:
        assert all(0 < d.servings <= 100 and d.name and d.lines for d in drafts)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode),
       name=st.sampled_from(["r.csv", "r.json", "r.html"]))
def test_any_bytes_are_read_or_refused_with_a_message(data, name):
    try:
        read_recipes(name, data)
    except RecipeImportError as exc:
        assert str(exc)
