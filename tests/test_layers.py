"""The one-way flow, kept by reading the imports of every module (ast, not by importing them).

Layers from the bottom: `workbook` (the file and its contract) → `workplan` (the pure domain)
→ `services` (what the commands share) → the entry points (`sync.py`, `reports.py`,
`macros/`, `benchmarks/`). A module may import its own layer and the layers below it, never
one above. The domain, and every module of ours it imports, loads no library that touches
files, Excel, processes, the clock or the scheduler.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"workbook": 0, "workplan": 1, "services": 2, "sync": 3, "reports": 3, "macros": 3, "benchmarks": 3}
# Libraries the pure domain must not load, directly or through a module of ours it imports.
IMPURE = frozenset({
    "python_calamine", "openpyxl", "xlsxwriter", "xlwings", "pyopenvba", "olefile", "msoffcrypto",  # files, Excel
    "schedule", "filelock", "time",  # the scheduler, locks, the clock
    "os", "shutil", "zipfile", "tempfile", "subprocess", "io", "socket",  # the file system, processes
    "multiprocessing", "concurrent", "logging", "matplotlib", "tqdm", "pandas",
})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in LAYERS or rel.stem in LAYERS and len(rel.parts) == 1:
            found[module_name(path)] = path
    return found


MODULES = project_modules()
# The one exception, documented in the README's layers paragraph: `from workbook import read_frames` works
# through a lazy module `__getattr__` in workbook/__init__.py that imports services.frames only when asked.
LAZY_EXCEPTION = ("workbook", "__getattr__", "services.frames")


def lazy_exception_nodes(tree: ast.Module, name: str) -> set[int]:
    """The import nodes of the one documented exception (none in any other module or function)."""
    module, function, target = LAZY_EXCEPTION
    if name != module:
        return set()
    return {id(node) for top in tree.body if isinstance(top, ast.FunctionDef) and top.name == function
            for node in ast.walk(top) if isinstance(node, ast.ImportFrom) and node.module == target and not node.level}


def imports_of(path: Path, name: str | None = None, *, allow_exception: bool = True) -> set[str]:
    """Every module named by an import anywhere in the file (functions included), absolute; without the
    documented lazy exception (`LAZY_EXCEPTION`) unless `allow_exception` is False."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = lazy_exception_nodes(tree, name) if allow_exception else set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return {found for found in names if found}


def layer(module: str) -> int | None:
    return LAYERS.get(module.split(".")[0])


def ours(name: str) -> bool:
    return name.split(".")[0] in LAYERS


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module):
    upward = sorted(name for name in imports_of(MODULES[module])
                    if ours(name) and layer(name) > layer(module))
    assert upward == [], f"{module} (layer {layer(module)}) imports a higher layer: {upward}"


def closure(start: str) -> set[str]:
    """The modules of ours that `start` imports, directly or through each other."""
    seen, stack = set(), [start]
    while stack:
        for name in imports_of(MODULES[stack.pop()]):
            for candidate in (name, name.rpartition(".")[0]):
                if candidate in MODULES and candidate not in seen:
                    seen.add(candidate)
                    stack.append(candidate)
    return seen


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.split(".")[0] == "workplan"))
def test_the_domain_loads_nothing_that_touches_files_excel_or_the_clock(module):
    loaded = {module} | closure(module)
    impure = sorted((name, lib) for name in loaded for lib in imports_of(MODULES[name])
                    if not ours(lib) and lib.split(".")[0] in IMPURE)
    assert impure == [], f"{module} loads, through {len(loaded)} modules of ours: {impure}"


def test_the_file_layer_imports_no_other_package_of_ours():
    outside = sorted((module, name) for module in MODULES if module.split(".")[0] == "workbook"
                     for name in imports_of(MODULES[module]) if ours(name) and name.split(".")[0] != "workbook")
    assert outside == []


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path):
    fake = tmp_path / "bad.py"
    fake.write_text("from services import demo\n\ndef f():\n    from workplan import scoring\n    from . import values\n",
                    encoding="utf-8")
    assert imports_of(fake, "workbook.bad") == {"services", "services.demo", "workplan", "workplan.scoring",
                                                 "workbook", "workbook.values"}


def test_no_module_is_over_700_lines():
    long = sorted((str(path.relative_to(ROOT)), n) for path in [*MODULES.values(), *ROOT.joinpath("tests").glob("*.py")]
                  if (n := len(path.read_text(encoding="utf-8").splitlines())) > 700)
    assert long == []


def test_the_one_exception_is_the_lazy_read_frames_and_nothing_else():
    """workbook/__init__.py's only import of a higher layer is services.frames inside its `__getattr__`;
    plain `import workbook` loads neither services nor pandas (a fresh process), the name does."""
    init = MODULES["workbook"]
    assert imports_of(init, allow_exception=False) - imports_of(init) == {"services.frames"}
    others = {m: imports_of(p, allow_exception=False) ^ imports_of(p) for m, p in MODULES.items() if m != "workbook"}
    assert not any(others.values())
    probe = ("import sys, workbook, workbook.layout, workbook.reader; before = sorted(m for m in ('services', 'pandas') "
             "if m in sys.modules); from workbook import read_frames; print(before, read_frames.__module__, "
             "'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "services.frames", "True"]
