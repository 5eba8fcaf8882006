"""Site partitions: re-crawl and re-parse one site, or every site in one run.

The partition keys are dynamic (`DynamicPartitionsDefinition("sites")`): the names of the sites a user configures
(`ogi run --sites FILE` and every crawl register the sites of their configuration in the Dagster instance), so a
site added today is a partition the UI shows at once, with no code change or reload. `raw_pages` and
`parsed_reports` are partitioned by site with a single-run backfill policy: a run for some sites crawls and
re-parses those sites only; a run over the whole key range (`all_sites_tags`, the schedule, `ogi run`) does every
site of the run's crawl configuration in one crawl. The tables always describe the whole archive.
"""

from collections.abc import Iterable, Mapping

import dagster as dg

SITES_PARTITIONS = "sites"
SITES = dg.DynamicPartitionsDefinition(name=SITES_PARTITIONS)
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def register_sites(instance: dg.DagsterInstance, names: Iterable[str]) -> list[str]:
    """Add the sites' partitions the instance does not have yet; returns the names added."""
    known = set(instance.get_dynamic_partitions(SITES_PARTITIONS))
    new = [n for n in dict.fromkeys(names) if n not in known]
    if new:
        instance.add_dynamic_partitions(SITES_PARTITIONS, new)
    return new


def site_keys(instance: dg.DagsterInstance) -> list[str]:
    """Every registered site partition, in the instance's order."""
    return list(instance.get_dynamic_partitions(SITES_PARTITIONS))


def all_sites_tags(instance: dg.DagsterInstance) -> dict[str, str]:
    """Run tags selecting every registered site partition in one run ({} when none is registered)."""
    keys = site_keys(instance)
    return {RANGE_START: keys[0], RANGE_END: keys[-1]} if keys else {}


def run_tags(instance: dg.DagsterInstance, sites: Iterable[str] | None = None) -> Mapping[str, str]:
    """Tags of a run for `sites` (registered first): one site -> its partition; several or None -> the whole range
    (the run's crawl configuration then says which sites it crawls)."""
    names = list(sites or [])
    register_sites(instance, names)
    if len(names) == 1:
        return {"dagster/partition": names[0]}
    return all_sites_tags(instance)


def selected_sites(context: dg.AssetExecutionContext) -> frozenset[str] | None:
    """The sites this run is for; None when it covers every site partition (then: every configured site)."""
    if not context.has_partition_key_range and not context.has_partition_key:
        return None
    keys = frozenset(context.partition_keys)
    return None if keys >= frozenset(site_keys(context.instance)) else keys
