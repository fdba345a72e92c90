"""The build of the scripts customers' pages load: minified, ASCII-only, and within the
gzipped budgets (the swap script and the callback widget under 12 KB together)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def frontend_build():
    from tests.browser.conftest import load_build_module

    return load_build_module()


@pytest.fixture(scope="module")
def built(frontend_build, tmp_path_factory):
    return {item.name: item for item in frontend_build.build(tmp_path_factory.mktemp("static"))}


def test_swap_script_and_widget_together_are_under_12_kb_gzipped(frontend_build, built):
    assert set(built) == {"swap.js", "widget.js"}
    assert sum(b.gzip_bytes for b in built.values()) <= 12288
    assert all(b.within_budget for b in built.values())
    assert frontend_build.TOTAL_BUDGET == 12288 and sum(frontend_build.BUDGETS.values()) <= 12288
    assert frontend_build.problems(list(built.values())) == []


def test_the_build_fails_when_the_scripts_together_are_over_the_total(frontend_build, built):
    results = list(built.values())
    total = sum(b.gzip_bytes for b in results)
    [problem] = frontend_build.problems(results, total_budget=total - 1)
    assert f"{total} B gzipped together" in problem


def test_a_script_over_its_own_budget_fails_the_build(frontend_build, built):
    swap = built["swap.js"]
    over = frontend_build.Built(swap.name, swap.path, swap.raw_bytes, swap.gzip_bytes, budget=swap.gzip_bytes - 1)
    assert frontend_build.problems([over]) == [
        f"swap.js is {swap.gzip_bytes} B gzipped, over its {swap.gzip_bytes - 1} B budget"]


def test_the_built_scripts_are_ascii_so_any_page_charset_reads_them(built):
    for item in built.values():
        data = item.path.read_bytes()
        assert data.isascii(), item.name
        assert b"/*" not in data[:200]   # comments are gone


def test_non_ascii_text_becomes_escapes_that_mean_the_same(frontend_build):
    assert frontend_build.minify("var a = 'Звоним…';  // ok\n") == (
        "var a='\\u0417\\u0432\\u043e\\u043d\\u0438\\u043c\\u2026';\n")
    assert frontend_build.minify("var b = '☎😀';") == "var b='\\u260e\\ud83d\\ude00';\n"
