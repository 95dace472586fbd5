"""The browser libraries vendored by scripts/vendor.sh match the exact pins in package.json.

No database and no network: these only read files in the repository.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"
PACKAGE_JSON = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
LOCK = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))

# An exact semver: 1.2.3 or 1.2.3-rc.1, with no range operator, wildcard, tag, URL or path.
EXACT_VERSION = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?")
# Both minified builds set their version with a plain assignment: `t.version="6.1.0"` in echarts'
# UMD wrapper and `axe.version="4.14.1"` in axe-core (as in echarts 5.x and earlier axe 4.x).
# zrender's own version appears in echarts.min.js only as an object key (`version:"6.1.0"`), so
# an assignment never picks it up.
VERSION_ASSIGNMENT = re.compile(r"""[\w$]+\.version\s*=\s*["']([^"']+)["']""")
AXE_BANNER = re.compile(r"\A/\*! axe v(\S+)")

FILES = {
    "echarts/echarts.min.js": 500_000,
    "echarts/LICENSE": 5_000,
    "echarts/NOTICE": 50,
    "echarts/licenses/LICENSE-d3": 500,  # d3.js code bundled in echarts.min.js
    "axe-core/axe.min.js": 300_000,
    "axe-core/LICENSE": 5_000,
    "axe-core/LICENSE-3RD-PARTY.txt": 1_000,  # code bundled in axe.min.js
}


def pinned(name: str) -> str:
    return PACKAGE_JSON["dependencies"][name]


def minified_version(path: Path) -> str:
    versions = set(VERSION_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
    assert len(versions) == 1, f"expected one version assignment in {path.name}, got {versions}"
    return versions.pop()


@pytest.mark.parametrize(("name", "min_size"), FILES.items())
def test_vendored_file_exists_and_is_not_trivial(name, min_size):
    path = VENDOR / name
    assert path.is_file(), f"{path} is missing: run `make vendor`"
    assert path.stat().st_size >= min_size, f"{path} is only {path.stat().st_size} bytes"


def test_package_json_pins_exact_versions():
    assert PACKAGE_JSON.get("private") is True
    assert set(PACKAGE_JSON["dependencies"]) == {"echarts", "axe-core"}
    for section in ("dependencies", "devDependencies", "optionalDependencies"):
        for name, version in PACKAGE_JSON.get(section, {}).items():
            assert EXACT_VERSION.fullmatch(version), f"{name} is not pinned exactly: {version!r}"


def test_package_json_has_no_install_hooks():
    hooks = {"preinstall", "install", "postinstall", "prepare", "prepublish"}
    assert not hooks & set(PACKAGE_JSON.get("scripts", {}))


@pytest.mark.parametrize("name", ["echarts", "axe-core"])
def test_lockfile_agrees_with_package_json(name):
    assert LOCK["packages"][""]["dependencies"][name] == pinned(name)
    assert LOCK["packages"][f"node_modules/{name}"]["version"] == pinned(name)


def test_echarts_build_is_the_pinned_version():
    path = VENDOR / "echarts" / "echarts.min.js"
    assert minified_version(path) == pinned("echarts")
    # The bundled zrender is the one the lockfile resolved.
    text = path.read_text(encoding="utf-8")
    zrender = re.search(r"""dependencies\s*=\s*\{\s*zrender\s*:\s*["']([^"']+)["']""", text)
    assert zrender, "no zrender version in echarts.min.js"
    assert zrender.group(1) == LOCK["packages"]["node_modules/zrender"]["version"]


def test_axe_build_is_the_pinned_version():
    text = (VENDOR / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    banner = AXE_BANNER.match(text)
    assert banner, "axe.min.js does not start with its /*! axe vX.Y.Z banner"
    assert banner.group(1) == pinned("axe-core")
    assert minified_version(VENDOR / "axe-core" / "axe.min.js") == pinned("axe-core")


def test_readme_names_the_vendored_versions():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert f"| {pinned('echarts')} |" in readme
    assert f"| {pinned('axe-core')} |" in readme
    assert "make vendor" in readme


def test_builds_reference_no_source_map():
    # ManifestStaticFilesStorage rewrites `sourceMappingURL` comments in JS and fails collectstatic
    # when the map is missing; only the .min.js files are vendored, so they must not name one.
    for name in ("echarts/echarts.min.js", "axe-core/axe.min.js"):
        text = (VENDOR / name).read_text(encoding="utf-8")
        assert "sourceMappingURL" not in text, name
