-- One row per report URL that disappeared from its site: it answered 2xx in an earlier crawl run, and in the
-- site's latest run it was either no longer linked ('unlisted') or answered 404/410 ('404'). Only runs in which
-- a list page of the site answered count (a run that could not read the listing says nothing about its links).
-- A URL whose latest request failed without an answer (network error) is not counted as removed.
create or replace view v_removed_report as
with site_runs as (
    select distinct
        site,
        run_id
    from crawl_seen
    where kind = 'list' and status between 200 and 299
),

latest as (
    select
        site,
        max(run_id) as run_id
    from site_runs
    group by site
),

last_ok as (
    select
        site,
        url,
        max(run_id) as last_seen_run
    from crawl_seen
    where kind = 'report' and status between 200 and 299
    group by site, url
),

gone as (
    select
        o.site,
        o.url,
        o.last_seen_run,
        case when s.url is null then 'unlisted' else '404' end as how
    from last_ok as o
    inner join latest as l on l.site = o.site and l.run_id > o.last_seen_run
    left join crawl_seen as s on s.run_id = l.run_id and s.url = o.url
    where s.url is null or s.status in (404, 410)
)

select
    r.report_id,
    g.url,
    g.site,
    g.last_seen_run,
    (select min(x.run_id) from site_runs as x where x.site = g.site and x.run_id > g.last_seen_run) as removed_run,
    g.how
from gone as g
left join dim_report as r on r.url = g.url and r.is_current
order by g.site, g.url;

comment on view v_removed_report is 'One row per report URL that disappeared from its site: answered in an earlier crawl run, unlisted or 404/410 in the site''s latest run.';
comment on column v_removed_report.report_id is 'Last version of the report (the current dim_report row of the URL); null if it was never parsed.';
comment on column v_removed_report.url is 'Report URL.';
comment on column v_removed_report.site is 'Site name of the crawl configuration.';
comment on column v_removed_report.last_seen_run is 'Last crawl run (crawl_run.run_id) in which the URL answered 2xx.';
comment on column v_removed_report.removed_run is 'First crawl run of the site after last_seen_run: the run that found it gone.';
comment on column v_removed_report.how is 'unlisted (no list page of the latest run links it) or 404 (still linked, answers 404/410).';
