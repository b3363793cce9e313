import pytest

from orchestration.lib.config import ConfigError, settings


def test_pseudonym_key_is_required_outside_demo_mode(tmp_path):
    with pytest.raises(ConfigError, match="GRIP_PSEUDONYM_KEY"):
        settings({"GRIP_DATA_DIR": str(tmp_path)})


def test_demo_mode_uses_builtin_key_with_warning(tmp_path):
    with pytest.warns(UserWarning, match="built-in pseudonymisation key"):
        s = settings({"GRIP_DATA_DIR": str(tmp_path), "GRIP_DEMO": "1"})
    assert s.warehouse == tmp_path / "warehouse" / "grip.duckdb"
    assert s.landing_dir == tmp_path / "landing"


def test_bad_municipality_code_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="GRIP_MUNICIPALITY"):
        settings({"GRIP_DATA_DIR": str(tmp_path), "GRIP_PSEUDONYM_KEY": "k", "GRIP_MUNICIPALITY": "392"})


def test_every_setting_is_in_the_readme_and_read_by_settings():
    import inspect

    from orchestration.lib import config

    readme = (config.REPO_ROOT / "README.md").read_text()
    source = inspect.getsource(config.settings) + inspect.getsource(config.Settings)
    for name, _, _ in config.VARIABLES:
        assert f"| `{name}` |" in readme, f"{name} missing from the README's configuration table"
        assert f'"{name}"' in source, f"{name} is listed but never read"


def test_every_duckdb_connection_of_the_pipeline_takes_the_configured_limits():
    """GRIP_DUCKDB_MEMORY_LIMIT bounds memory only if every connection gets it: Splink's own
    connection took 8 GB at scale 10 without it, the bench's lower bound 21 GB. The generator is not
    part of the pipeline."""
    import ast

    from orchestration.lib.config import REPO_ROOT

    unbounded = []
    for path in sorted([*(REPO_ROOT / "orchestration").rglob("*.py"), *(REPO_ROOT / "benchmarks").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "duckdb"
                and not any(k.arg == "config" for k in node.keywords)
            ):
                unbounded.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert unbounded == []


def test_the_warehouse_resource_puts_its_fields_over_the_environment(tmp_path, monkeypatch):
    from orchestration.lib.resources import Warehouse

    monkeypatch.setenv("GRIP_DEMO", "1")
    monkeypatch.setenv("GRIP_WAREHOUSE", "/elsewhere/grip.duckdb")
    monkeypatch.setenv("GRIP_MUNICIPALITY", "0392")
    assert str(Warehouse().settings.warehouse) == "/elsewhere/grip.duckdb"  # empty fields: the environment
    own = Warehouse(data_dir=str(tmp_path), municipality="0363,0392").settings
    assert own.warehouse == tmp_path / "warehouse" / "grip.duckdb"  # a data directory of its own, paths below it
    assert own.published_warehouse == tmp_path / "warehouse" / "grip_published.duckdb"
    assert own.municipalities == ("0363", "0392")
    with Warehouse(data_dir=str(tmp_path)).connect() as con:
        con.execute("create table t as select 1 as x")
    assert (tmp_path / "warehouse" / "grip.duckdb").exists()
