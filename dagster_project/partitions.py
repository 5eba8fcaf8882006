"""Site partitions: re-crawl and re-parse one site, or every site in one run.

The partition keys are the site names of the committed crawl configurations (`crawler/sites/*.json`; the demo
portal's sites are `crawler/sites/demo.json`). `raw_pages` and `parsed_reports` are partitioned by site with a
single-run backfill policy: a run for some sites crawls and re-parses those sites only, and a run over the whole
key range (`ALL_SITES` tags, `--partition-range first...last`, the schedule) does every site of the run's crawl
configuration in one crawl. The tables are rebuilt so that they always describe the whole archive.
"""

import json
from functools import cache
from pathlib import Path

import dagster as dg

import crawler

SITES_DIR = Path(crawler.__file__).resolve().parent / "sites"


@cache
def site_names() -> tuple[str, ...]:
    """Every site name of crawler/sites/*.json, sorted."""
    names: set[str] = set()
    for path in sorted(SITES_DIR.glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        entries = entries.get("sites", []) if isinstance(entries, dict) else entries
        names.update(str(entry["name"]) for entry in entries)
    return tuple(sorted(names))


SITES = dg.StaticPartitionsDefinition(list(site_names()))

# Run tags that select every site partition in one run (what `dg.materialize`, the demo and the schedule use).
ALL_SITES = {
    "dagster/asset_partition_range_start": site_names()[0],
    "dagster/asset_partition_range_end": site_names()[-1],
}


def selected_sites(context: dg.AssetExecutionContext) -> frozenset[str] | None:
    """The sites this run is for; None when it covers every site partition (then: every configured site)."""
    if not context.has_partition_key_range and not context.has_partition_key:
        return None
    keys = frozenset(context.partition_keys)
    return None if keys >= frozenset(site_names()) else keys
