"""A snapshot of every asset spec: key, layer (group), kinds, tags, partitions, checks and upstream keys.

A change to the asset graph shows as a diff of tests/unit/snapshots/asset_specs.txt in review,
instead of passing unnoticed. After an intended change: ``GRIP_UPDATE_SNAPSHOTS=1 make test``
(or ``pytest tests/unit/test_asset_specs.py``) writes the snapshot again.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_specs.txt"


def describe() -> str:
    graph = defs.get_repository_def().asset_graph
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if not node.is_materializable:
            continue
        checks = sorted(c.name for c in graph.get_check_keys_for_assets([key]))
        tags = ",".join(f"{k}={v}" for k, v in sorted(node.tags.items()) if not k.startswith("dagster/"))
        lines.append(
            f"{key.to_user_string()}  group={node.group_name}  kinds={','.join(sorted(node.kinds))}"
            f"{'  partitioned' if node.partitions_def else ''}{'  tags=' + tags if tags else ''}"
        )
        lines += [f"    check {c}" for c in checks]
        lines += [f"    <- {p.to_user_string()}" for p in sorted(node.parent_keys, key=lambda k: k.to_user_string())]
    return "\n".join(lines) + "\n"


def test_every_asset_spec_is_as_in_the_snapshot():
    current = describe()
    if os.environ.get("GRIP_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "the asset graph changed: review the difference, then write the snapshot again with GRIP_UPDATE_SNAPSHOTS=1"
    )


def test_every_asset_has_a_description():
    graph = defs.get_repository_def().asset_graph
    missing = [k.to_user_string() for k in graph.materializable_asset_keys if not graph.get(k).description]
    assert not missing, missing
