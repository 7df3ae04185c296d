"""The README's curl walkthrough, run as written against a live server.

Why: the issue's "done when" is that the walkthrough works as written; a README that drifts
from the API is a broken promise nobody notices. Only the address (``localhost:8080`` →
the test server) and the scratch zip path are changed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, require_server, served_app


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    with served_app(tmp_path, run_jobs=False) as (url, _app):
        yield url


def walkthrough() -> str:
    """The bash block under "## Walkthrough with curl"."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Walkthrough with curl", 1)[1]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_the_readme_walkthrough_works_as_written(base: str, tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        require_server("curl is not installed")
    script = walkthrough().replace("localhost:8080", base.removeprefix("http://"))
    script = script.replace("/tmp/permit.zip", str(tmp_path / "permit.zip"))
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in _json_lines(done.stdout)]
    deployed, listed, patched, closed, history, refused = answers
    assert deployed["caseType"] == "permit"
    assert [c["title"] for c in listed["items"]] == ["Rosa Diaz — AB-123"]
    assert (patched["data"]["amount"], patched["queue"]) == (25, "priority")
    assert closed["status"] == "closed"
    assert {"created", "closed"} <= {h["action"] for h in history["items"]}
    assert refused["status"] == 422
    assert "/applicant/email" in {e["path"] for e in refused["errors"]}


def _json_lines(output: str) -> list[str]:
    """curl prints each body without a newline: split the concatenated JSON documents."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    text, at = output.strip(), 0
    while at < len(text):
        value, end = decoder.raw_decode(text, at)
        found.append(json.dumps(value))
        at = end
        while at < len(text) and text[at].isspace():
            at += 1
    return found
