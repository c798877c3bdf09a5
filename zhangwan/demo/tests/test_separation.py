"""Product code never imports the demo: the demo depends on the apps, never the other way round, so
it can change (or be left out) without touching the product. Only INSTALLED_APPS names it, for its
commands."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEMO = "zhangwan.demo"
# Not product code: dot directories, the benchmarks, build output, the test set-up and the demo itself.
OUTSIDE = {"bench", "test-output", "staticfiles", "conftest.py"}


def product_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if (parts[0].startswith(".") or parts[0] in OUTSIDE or parts[:2] == ("zhangwan", "demo")
                or "tests" in parts or "migrations" in parts):
            continue
        yield path


def imported(tree: ast.Module, package: list[str]):
    """The absolute names each import statement of the module refers to (relative ones resolved
    against `package`, the module's package as a list of names)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + (node.module.split(".") if node.module else []))
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def demo_imports(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[:-1]
    names = imported(ast.parse(path.read_text(encoding="utf-8"), str(path)), package)
    return [name for name in names if name == DEMO or name.startswith(f"{DEMO}.")]


def test_no_product_module_imports_the_demo():
    modules = list(product_modules())
    assert len(modules) > 100 and ROOT / "manage.py" in modules
    found = {str(path.relative_to(ROOT)): names for path in modules if (names := demo_imports(path))}
    assert found == {}


def test_every_way_of_importing_the_demo_is_seen():
    sources = {"import zhangwan.demo.registry": "zhangwan/urls.py",
               "from zhangwan.demo import accounts": "training/views.py",
               "from zhangwan import demo": "masters/services.py",
               "from . import demo": "zhangwan/urls.py",
               "from ..demo.accounts import DEMO_USERS": "zhangwan/accounts/views.py"}
    for source, module in sources.items():
        package = module.removesuffix(".py").split("/")[:-1]
        names = [n for n in imported(ast.parse(source), package) if n == DEMO or n.startswith(f"{DEMO}.")]
        assert names, source
