"""The layout rules of ARCHITECTURE.md, checked on the source.

Every ``import`` of a gaitlab module is read from the syntax tree, function-level imports
included (only imports under ``if TYPE_CHECKING:`` are left out: they never run). The tests
fail when a layer imports one it must not, when imports form a cycle, or when a module or a
function outgrows the limits that keep each file one idea.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "gaitlab"

#: What each layer may import besides itself (ARCHITECTURE.md). ``top`` is gaitlab/__init__,
#: ``orchestrators`` the two orchestrators gaitlab/pipeline.py and gaitlab/live.py.
EVERYTHING = {
    "top", "core", "io", "pose", "signals", "rules", "tasks", "render", "orchestrators",
    "present", "store", "report", "programme", "footprint", "cli", "app",
}  # fmt: skip
ALLOWED: dict[str, set[str]] = {
    "top": set(),
    "core": set(),
    "io": {"core"},
    "pose": {"core", "io"},
    "signals": {"core", "pose"},
    "rules": {"core", "signals"},
    "tasks": {"core", "signals", "rules"},
    "render": {"core", "signals", "rules"},
    "orchestrators": {"top", "core", "io", "pose", "signals", "rules", "tasks", "render"},
    "present": {"core", "signals", "rules"},
    "store": {"top", "core", "io"},
    "report": {"top", "core", "io", "rules", "render", "present", "store"},
    "programme": {"core", "io"},
    "footprint": {"top", "core", "io", "render"},
    "testing": {"core", "io", "pose", "signals", "footprint"},
    "cli": EVERYTHING - {"app"},
    "app": EVERYTHING - {"cli"},
    "main": {"cli"},
}

MAX_TOP_LEVEL_MODULES = 12
MAX_MODULE_LINES = 800
MAX_FUNCTION_CODE_LINES = 100


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "top"
    if parts[1] in ("pipeline", "live"):
        return "orchestrators"
    if parts[1] == "__main__":
        return "main"
    return parts[1]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(name: str) -> str | None:
    """The gaitlab module ``name`` refers to (an attribute of a module → that module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path) -> set[str]:
    """Every gaitlab module the file imports, wherever the import statement stands."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "gaitlab":
                    found.add(_resolve(alias.name))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "gaitlab":
                for alias in node.names:
                    found.add(_resolve(f"{node.module}.{alias.name}"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(), filename=str(path)))
    found.discard(None)
    return found


GRAPH: dict[str, set[str]] = {m: _imports(p) - {m} for m, p in MODULES.items()}


def test_no_relative_imports():
    offenders = [
        f"{m}: line {node.lineno}"
        for m, p in MODULES.items()
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_it_may(layer):
    broken = sorted(
        f"{module} imports {target} ({layer_of(target)})"
        for module, targets in GRAPH.items()
        if layer_of(module) == layer
        for target in targets
        if layer_of(target) != layer and layer_of(target) not in ALLOWED[layer]
    )
    assert broken == []


def test_every_module_belongs_to_a_known_layer():
    assert {layer_of(m) for m in MODULES} <= set(ALLOWED)


def test_no_import_cycles():
    """Tarjan's strongly connected components over the import graph: any component with more
    than one module is a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            strongconnect(v)
    assert cycles == []


def test_top_level_holds_few_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_module_too_long():
    lengths = {m: len(p.read_text().splitlines()) for m, p in MODULES.items()}
    long = {m: n for m, n in lengths.items() if n > MAX_MODULE_LINES}
    assert long == {}


def _code_lines(source: str) -> set[int]:
    """Line numbers holding code: not blank, not only a comment."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in skip and tok.type != tokenize.ENDMARKER:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return lines


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, kinds) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def function_lengths(path: Path) -> dict[str, int]:
    """Lines of code of every function (docstrings, comments and blank lines not counted)."""
    source = path.read_text()
    tree = ast.parse(source)
    code = _code_lines(source) - _docstring_lines(tree)
    return {
        f"{node.name} (line {node.lineno})": len(
            code.intersection(range(node.lineno, node.end_lineno + 1))
        )
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_no_function_too_long():
    long = {
        f"{m}.{name}": n
        for m, p in MODULES.items()
        for name, n in function_lengths(p).items()
        if n > MAX_FUNCTION_CODE_LINES
    }
    assert long == {}


def test_the_checker_sees_function_level_imports_and_long_functions(tmp_path):
    """The checks above would pass vacuously if the parser missed what they look for."""
    body = "\n".join(f"    x{i} = {i}" for i in range(101))
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from gaitlab.pipeline import Analysis\n"
        "def f():\n    '''doc'''\n    # why\n    from gaitlab.core.types import Flag\n"
        f"{body}\n"
    )
    assert _imports(sample) == {"gaitlab.core.types"}
    assert function_lengths(sample) == {"f (line 4)": 103}
