-- Folds the crawl runs with run_id > $after into crawl_site_run (Warehouse.load_crawl_history): one row per site x
-- run of those runs, from their crawl_seen and crawl_run rows only. $after is the latest run folded before (the
-- greatest crawl_site_run.run_id); '' folds every run into an empty table: the full recompute is this same query.
-- v_removed_report reads `evidence` (a complete run whose every list request, of at least one, answered ok) in place
-- of grouping crawl_seen; crawl_url_state_fold.sql reads the new rows, so this runs first.
insert into crawl_site_run by name
with seen as (
    select
        site,
        run_id,
        count(*) as requests,
        count(*) filter (where kind = 'list') as lists,
        count(*) filter (where kind = 'list' and outcome <> 'ok') as lists_failed
    from crawl_seen
    where run_id > $after
    group by site, run_id
),

run as (
    select
        site,
        run_id,
        bool_or(complete) as complete
    from crawl_run
    where run_id > $after
    group by site, run_id
)

select
    coalesce(s.site, r.site) as site,
    coalesce(s.run_id, r.run_id) as run_id,
    coalesce(s.requests, 0) as requests,
    coalesce(s.lists, 0) as lists,
    coalesce(s.lists_failed, 0) as lists_failed,
    r.complete,
    coalesce(r.complete and s.lists > 0 and s.lists_failed = 0, false) as evidence
from seen as s
full join run as r on r.site = s.site and r.run_id = s.run_id
order by run_id, site
