"""The code location: `dagster dev -m dagster_project.definitions`, `dagster asset materialize -m ...`."""

from __future__ import annotations

import dagster as dg

from dagster_project.assets import ASSETS
from dagster_project.checks import CHECKS
from dagster_project.resources import CrawlConfig, SitesNotConfigured, Warehouse

# Every asset and its checks; steps are small, so they run in the launching process (STACK.md §5b).
all_assets_job = dg.define_asset_job(
    "all_assets", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor
)

# Report season: reports for year N are due by 31 January of N+1 and trickle in until spring. New schedules start
# STOPPED; turn this one on in the UI (Automation) or with `dagster schedule start report_season`.
@dg.schedule(
    name="report_season",
    job=all_assets_job,
    cron_schedule="0 6 * 1-4 *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=(
        "Daily at 06:00 Asia/Shanghai, January to April: crawl every configured site (the crawl resource's sites "
        "file: $OGI_SITES or ./sites.json; never the demo portal unless configured), parse and rebuild the warehouse."
    ),
)
def report_season() -> dg.RunRequest | dg.SkipReason:
    return _sites_run({})


def _sites_run(run_config: dict) -> dg.RunRequest | dg.SkipReason:
    """A run over every configured site, or a skip while there is no sites file (never the demo portal)."""
    try:
        names = CrawlConfig().site_names()
    except SitesNotConfigured as exc:
        return dg.SkipReason(f"no sites configured: {exc}")
    if not names:
        return dg.SkipReason("the sites file lists no site: add one with `ogi sites add URL`")
    return dg.RunRequest(run_config=run_config)


# A CMS can change a published page in place without touching its list (a restatement at the same URL, title and
# date): the daily runs fetch only what the lists show as new or changed, so once a week every listed report and
# attachment is requested again (conditionally: an unchanged page answers 304 where the site supports it).
@dg.schedule(
    name="weekly_revisit",
    job=all_assets_job,
    cron_schedule="0 5 * * 0",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=(
        "Sundays at 05:00 Asia/Shanghai: like report_season, but every listed report and attachment is requested "
        "again (`ogi run --revisit`), so that a report changed in place (a restatement) is found within a week."
    ),
)
def weekly_revisit() -> dg.RunRequest | dg.SkipReason:
    return _sites_run({"resources": {"crawl": {"config": {"revisit": True}}}})


defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[all_assets_job],
    schedules=[report_season, weekly_revisit],
    resources={"crawl": CrawlConfig(), "warehouse": Warehouse()},
    executor=dg.in_process_executor,
)
