"""The build's shortening of local names (frontend/shorten.py), which keeps the swap script
under its 3 KB: the code means the same before and after (node runs both), and what a
rename would change (a property, an object key, a string, a regular expression) is left."""
import json
import os
import subprocess
import sys

import pytest

from tests.browser.conftest import load_build_module

SAMPLE = r"""
(function (win) {
  var counter = { total: 0 }, label = 'total: ', pattern = /total: (\d+)/, values = [3, 4];
  function addAll(items) {
    for (var index = 0; index < items.length; index++) counter.total += items[index];
    return label + counter.total;
  }
  var doubled = values.map((value) => value * 2), result = addAll(doubled);
  win.out = { result: result, matched: pattern.exec(result)[1], keys: Object.keys(counter),
              half: counter.total / 2 / 1 };
})(globalThis);
console.log(JSON.stringify(globalThis.out));
"""


@pytest.fixture(scope="module")
def shorten():
    import importlib.util

    from tests.support.stack import REPO

    spec = importlib.util.spec_from_file_location("frontend_shorten", REPO / "frontend" / "shorten.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(code: str) -> dict:
    return json.loads(subprocess.run(["node", "-e", code], capture_output=True, text=True, check=True).stdout)


def test_shortened_code_does_what_the_original_does(shorten):
    short = shorten.shorten(SAMPLE)
    assert _run(short) == _run(SAMPLE) == {"result": "total: 14", "matched": "14", "keys": ["total"], "half": 7}
    assert len(short) < len(SAMPLE)
    for local in ("counter", "addAll", "items", "index", "doubled", "values"):
        assert local not in short.replace("'total: '", "")
    # Properties, keys, strings and regular expressions keep their names.
    for kept in (".total", "total:", "'total: '", r"/total: (\d+)/", "result:", ".map("):
        assert kept in short


def test_what_a_rename_would_break_fails_the_build(shorten):
    with pytest.raises(shorten.ShortenError, match="shorthand"):
        shorten.shorten("(function(){var name=1;return {name};})();")
    with pytest.raises(shorten.ShortenError, match="template"):
        shorten.shorten("var greeting=`hi`;")


def test_the_built_swap_script_is_shortened_and_the_widget_is_not(tmp_path):
    built = {b.name: b for b in load_build_module().build(tmp_path)}
    swap, widget = built["swap.js"].path.read_text(), built["widget.js"].path.read_text()
    assert "function lookup(" not in swap and "function(win,doc)" not in swap
    assert "data-site-key" in swap and "/v1/sessions" in swap and "ringback:swapped" in swap
    assert "(function(win,doc)" in widget
    subprocess.run(["node", "--check", str(built["swap.js"].path)], check=True)


def test_every_build_gives_the_same_swap_script_whatever_the_hash_seed(tmp_path):
    """The same source, the same bytes: else each deploy publishes a new hashed name (every
    visitor downloads it again) and the size against the budget changes from build to build."""
    from tests.support.stack import REPO

    probe = ("import sys; sys.path.insert(0, 'frontend'); import build, pathlib; "
             "print(next(b.path.read_text() for b in build.build(pathlib.Path(sys.argv[1])) if b.name == 'swap.js'))")
    built = {subprocess.run([sys.executable, "-c", probe, str(tmp_path / seed)], cwd=REPO, check=True, text=True,
                            capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
             for seed in ("1", "2", "3")}
    assert len(built) == 1
