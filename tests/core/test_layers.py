"""The layering of docs/STYLE, as import-linter contracts in pyproject.toml: the pages (``web``) and
the API (``api``) sit above the domain apps, which never import them; ``core`` imports no app."""

from __future__ import annotations

from pathlib import Path

from importlinter.api import read_configuration
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
#: Packages of ``ybss`` that are not apps under the contracts: the layers above, settings, data.
NOT_DOMAIN = {"web", "api", "settings", "locale"}


def _contracts() -> dict[str, dict]:
    return {c["id"]: c for c in read_configuration(str(PYPROJECT))["contracts_options"]}


def test_the_import_contracts_are_kept(capsys):
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report


def test_every_domain_app_is_under_the_contracts():
    """A new app must be added to the contracts, or they would not guard it."""
    apps = {p.parent.name for p in (ROOT / "ybss").glob("*/__init__.py")} - NOT_DOMAIN
    contracts = _contracts()
    below = set(contracts["domain-below-web-api"]["source_modules"])
    assert below == {f"ybss.{a}" for a in apps}
    assert set(contracts["domain-below-web-api"]["forbidden_modules"]) == {"ybss.web", "ybss.api"}
    assert contracts["core-imports-no-app"]["source_modules"] == ["ybss.core"]
    assert set(contracts["core-imports-no-app"]["forbidden_modules"]) == (below - {"ybss.core"}) | {
        "ybss.web",
        "ybss.api",
    }
