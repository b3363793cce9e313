"""Record linkage: precision, recall and time at the demo's defect rates, per scale factor.

    python -m benchmarks.linkage --scale 1

Generates SYNTHETIC feeds per scale (or reuses --feeds), loads only the person feeds
(SUITE4 clients, STAPP, CJG) into a fresh warehouse, links them and scores the links
against the generator's true links. Prints one line per source and a JSON summary.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from benchmarks import run_per_scale

PERSON_FEEDS = ("suite4_clienten", "stapp_klanten", "cjg")


def run(scale: float, feeds_dir: Path | None, work: Path) -> dict:
    import pandas as pd

    from orchestration.ingest.feeds import FEEDS
    from orchestration.ingest.landing import ingest_feed
    from orchestration.lib.config import settings
    from orchestration.lib.linkage import link, precision_recall
    from orchestration.lib.warehouse import connect
    from orchestration.linkage.assets import read_persons
    from synthetic.generate import GeneratorConfig, generate
    from tests.truth.linkage import true_links

    if feeds_dir is None:
        feeds_dir = work / f"feeds_{scale}"
        generate(GeneratorConfig(out=feeds_dir, scale=scale))
    os.environ.update({"GRIP_DATA_DIR": str(work / f"data_{scale}"), "GRIP_DEMO": "1"})
    s = settings()
    s.warehouse.unlink(missing_ok=True)
    with connect(s) as con:
        for feed in FEEDS:
            if feed.name in PERSON_FEEDS:
                ingest_feed(con, s, feed, root=feeds_dir / "landing", archive=False)
        prepared = read_persons(con)
    t0 = time.monotonic()
    links = link(prepared["suite4"], pd.concat([prepared["stapp"], prepared["cjg"]], ignore_index=True))
    seconds = time.monotonic() - t0
    figures = {"scale": scale, "seconds": round(seconds, 2), "suite4_clients": len(prepared["suite4"])}
    for source, truth in true_links(feeds_dir / "manifest").items():
        predicted = links[links["source"] == source]
        score = precision_recall(predicted, truth[truth["source_key"].isin(predicted["source_key"])])
        on_bsn = int((predicted["method"] == "bsn").sum())
        figures[source] = {**score, "persons": len(predicted), "on_bsn": on_bsn}
        print(
            f"scale {scale:>5}  {source:6s} {len(predicted):>7,} persons {score['links_true']:>6,} true links "
            f"precision {score['precision']:.4f} recall {score['recall']:.4f} ({on_bsn:,} on BSN)"
        )
    print(f"scale {scale:>5}  linkage of {len(links):,} persons to {len(prepared['suite4']):,} clients: {seconds:.1f}s")
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def main() -> None:
    run_per_scale(run, __doc__)


if __name__ == "__main__":
    main()
