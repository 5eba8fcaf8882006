-- One row per report URL that disappeared from its site, only on evidence:
-- '404': its latest answered request answered 404/410 (after an earlier 2xx);
-- 'unlisted': the site's latest *complete* run in which every list request was answered 2xx did not request it.
-- A run that was killed, or in which a list page failed, says nothing about what the site no longer links; a URL
-- whose latest request failed without an answer (network error) is not counted as removed.
-- It reads the crawl history's state, folded in as each run is loaded (Warehouse.load_crawl_history), never
-- crawl_seen itself: crawl_site_run (one row per site x run: `evidence` is a complete run with every list request,
-- of at least one, answered) and crawl_url_state (one row per site x URL that answered 2xx: its facts since its last
-- 2xx answer). The rows are those of the same view over crawl_seen (tests/sql/v_removed_report_reference.sql).
create or replace view v_removed_report as
with latest_complete as (
    select
        site,
        max(run_id) as run_id
    from crawl_site_run
    where evidence
    group by site
),

gone as (
    -- 404: its latest answer is 404/410; the evidence is the first 404/410 after its last 2xx
    -- (the first answer after it: first_answer_run)
    select
        site,
        url,
        last_ok_run as last_seen_run,
        first_answer_run as removed_run,
        '404' as how
    from crawl_url_state
    where last_answer_status in (404, 410)
    union all
    -- unlisted: the latest complete run does not request it; the evidence is the first complete run that did not
    -- (it did not when it is the last complete run after the last 2xx that did not: last_unlisted_run)
    select
        o.site,
        o.url,
        o.last_ok_run as last_seen_run,
        o.first_unlisted_run as removed_run,
        'unlisted' as how
    from crawl_url_state as o
    inner join latest_complete as l on l.site = o.site and l.run_id = o.last_unlisted_run
)

select
    r.report_id,
    g.url,
    g.site,
    g.last_seen_run,
    g.removed_run,
    g.how
from gone as g
left join dim_report as r on r.url = g.url and r.is_current
qualify row_number() over (partition by g.url order by g.how) = 1
order by g.site, g.url;

comment on view v_removed_report is 'One row per report URL that disappeared from its site, on evidence: its latest answer was 404/410, or the site''s latest complete run with every list page answered did not link it. Failed list pages and killed runs remove nothing.';
comment on column v_removed_report.report_id is 'Last version of the report (the current dim_report row of the URL); null if it was never parsed.';
comment on column v_removed_report.url is 'Report URL.';
comment on column v_removed_report.site is 'Site name of the crawl configuration.';
comment on column v_removed_report.last_seen_run is 'Last crawl run (crawl_run.run_id) in which the URL answered 2xx.';
comment on column v_removed_report.removed_run is 'The first crawl run that gave the evidence: the first 404/410 answer after the last 2xx, or the first complete run whose lists (every one answered) no longer link it.';
comment on column v_removed_report.how is '404 (its latest answer was 404/410) or unlisted (no list page of the site''s latest complete run, every list page answered, links it).';
