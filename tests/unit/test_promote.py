"""Publishing by rename: readers see the old copy or the new one, and a crash mid-swap is repaired."""

import shutil

import pytest

from orchestration.lib import warehouse
from orchestration.lib.warehouse import promote


class PowerCut(Exception):
    pass


def _folder(path, name):
    path.mkdir()
    (path / name).write_text(name)
    return path


def test_a_file_is_replaced_in_one_rename(tmp_path):
    target, new = tmp_path / "grip_published.duckdb", tmp_path / "grip_published.tmp"
    target.write_text("old")
    new.write_text("new")
    promote(new, target)
    assert target.read_text() == "new" and not new.exists()


def test_a_folder_swap_cut_between_its_renames_is_repaired_by_the_next_publish(tmp_path, monkeypatch):
    target = _folder(tmp_path / "exports", "old.parquet")
    _folder(tmp_path / "exports.tmp", "new.parquet")

    def cut(name):
        raise PowerCut(name)

    monkeypatch.setattr(warehouse, "crash_point", cut)
    with pytest.raises(PowerCut):
        promote(tmp_path / "exports.tmp", target)
    assert not target.exists() and (tmp_path / "exports.old" / "old.parquet").exists()  # what the crash leaves

    monkeypatch.undo()  # the next run builds its exports afresh, as published_warehouse does
    shutil.rmtree(tmp_path / "exports.tmp")
    _folder(tmp_path / "exports.tmp", "newer.parquet")
    promote(tmp_path / "exports.tmp", target)
    assert sorted(p.name for p in target.iterdir()) == ["newer.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]  # nothing left behind
