"""The layout rules of STYLE.md hold: no import cycle inside programs/, regions knows nothing of
programs, the layers point one way, and no module or function outgrows its limit."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    "check_architecture", ROOT / "scripts/check_architecture.py"
)
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_programs_has_no_import_cycle_counting_imports_inside_functions():
    assert check.cycles(check.import_graph(ROOT)) == []


def test_a_cycle_made_by_an_import_inside_a_function_is_found(tmp_path):
    root = write(
        tmp_path,
        {
            "programs/__init__.py": "",
            "programs/services/__init__.py": "from .reports import save\n",
            "programs/services/reports.py": "from ..tasks import send\n\ndef save(): ...\n",
            "programs/tasks.py": "def send():\n    from .services import save\n",
            "programs/figures.py": "",
        },
    )
    assert check.cycles(check.import_graph(root)) == [
        ["programs.services", "programs.services.reports", "programs.tasks"]
    ]


def test_a_submodule_using_its_sibling_is_not_a_cycle_with_its_package(tmp_path):
    root = write(
        tmp_path,
        {
            "programs/__init__.py": "",
            "programs/models/__init__.py": "from .catalog import A\nfrom .reporting import B\n",
            "programs/models/catalog.py": "class A: ...\n",
            "programs/models/reporting.py": "from .catalog import A\n\nclass B(A): ...\n",
        },
    )
    assert check.cycles(check.import_graph(root)) == []


def test_modules_and_functions_stay_within_their_limits():
    assert check.size_breaches(ROOT) == []


def test_an_oversized_module_and_function_are_reported(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(check.MAX_FUNCTION_LINES))
    filler = "\n" * check.MAX_MODULE_LINES
    root = write(tmp_path, {"programs/big.py": f"def long():\n{body}{filler}"})
    assert check.size_breaches(root, packages=("programs",)) == [
        f"programs/big.py: {check.MAX_FUNCTION_LINES + 1 + check.MAX_MODULE_LINES} lines "
        f"(> {check.MAX_MODULE_LINES}): make it a package",
        f"programs/big.py:long: {check.MAX_FUNCTION_LINES + 1} lines "
        f"(> {check.MAX_FUNCTION_LINES}): split it",
    ]


LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("programs", "regions", "talentportal", "bench")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_the_tree_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("regions/loading.py", "from programs.models import Job", "knows nothing of programs"),
        ("programs/models/catalog.py", "from programs.views import public", "programs:"),
        ("programs/figures.py", "from programs import services", "programs:"),
        (
            "programs/dashboard/core.py",
            "from bench.measures import run",
            "imports nothing from bench",
        ),
    ],
)
def test_import_linter_fails_on_a_forbidden_import_even_inside_a_function(
    tmp_path, module, line, broken
):
    """The contracts of pyproject.toml, run on a copy of the tree with one bad import added."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n\ndef _probe():\n    {line}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
    assert broken in result.stdout
