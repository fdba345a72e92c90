"""What the deploy publishes to the frontend bucket is finished: the demo customer site
(frontend/demo, whose snippet needs a site key only the local stack creates) stays out,
and no page goes up with a {{placeholder}} left in it."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

PLACEHOLDER = re.compile(r"\{\{\s*[A-Z_]+\s*\}\}")


def _published_files(synth) -> dict[str, bytes]:
    """Every file of every BucketDeployment's asset sources, by its key in the bucket."""
    out = Path(synth.app.outdir)
    assets: dict[str, dict] = {}
    for manifest in out.glob("*.assets.json"):
        assets.update(json.loads(manifest.read_text()).get("files", {}))
    files: dict[str, bytes] = {}
    for deployment in synth.of_type("Custom::CDKBucketDeployment").values():
        for key in deployment["Properties"]["SourceObjectKeys"]:
            asset = assets.get(str(key).removesuffix(".zip"))
            if asset is None:
                continue  # data written at deploy time (the dashboard's config), not a file asset
            source = out / asset["source"]["path"]
            if source.is_dir():
                files.update({str(p.relative_to(source)): p.read_bytes() for p in source.rglob("*") if p.is_file()})
            else:
                with zipfile.ZipFile(source) as archive:
                    files.update({name: archive.read(name) for name in archive.namelist() if not name.endswith("/")})
    return files


def test_the_demo_customer_site_is_not_deployed(synth):
    files = _published_files(synth)
    assert files, "the frontend's pages are published"
    assert not [key for key in files if key.split("/")[0] == "demo"]


def test_no_published_page_keeps_a_placeholder(synth):
    pages = {key: body.decode() for key, body in _published_files(synth).items() if key.endswith(".html")}
    assert pages
    unfilled = {key: PLACEHOLDER.findall(body) for key, body in pages.items() if PLACEHOLDER.search(body)}
    assert not unfilled, unfilled


def test_the_placeholder_check_sees_the_demo_pages_placeholders():
    # The pattern the check above looks for is the one frontend/demo/index.html uses.
    demo = (Path(__file__).resolve().parents[2] / "frontend" / "demo" / "index.html").read_text()
    assert set(PLACEHOLDER.findall(demo)) == {"{{RINGBACK_URL}}", "{{SITE_KEY}}"}
