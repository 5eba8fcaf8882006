-- The v_removed_report of commit d569e67 (before crawl_site_run and crawl_url_state), over crawl_seen and
-- crawl_run, kept as the reference tests/test_removed_state.py compares the view with (as v_removed_report_reference).
-- One row per report URL that disappeared from its site, only on evidence:
-- '404': its latest answered request answered 404/410 (after an earlier 2xx);
-- 'unlisted': the site's latest *complete* run in which every list request was answered 2xx did not request it.
-- A run that was killed, or in which a list page failed, says nothing about what the site no longer links; a URL
-- whose latest request failed without an answer (network error) is not counted as removed.
create or replace view v_removed_report_reference as
with runs as (
    select
        s.site,
        s.run_id,
        count(*) filter (where s.kind = 'list') as lists,
        count(*) filter (where s.kind = 'list' and s.outcome <> 'ok') as lists_failed
    from crawl_seen as s
    group by s.site, s.run_id
),

complete as (
    select
        r.site,
        r.run_id
    from runs as r
    inner join crawl_run as c on c.run_id = r.run_id and c.site = r.site
    where c.complete and r.lists > 0 and r.lists_failed = 0
),

latest_complete as (
    select
        site,
        max(run_id) as run_id
    from complete
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

answered as (
    select
        url,
        run_id,
        status
    from crawl_seen
    where kind = 'report' and outcome in ('ok', 'gone', 'not_report')
),

latest_answer as (
    select *
    from answered
    qualify row_number() over (partition by url order by run_id desc) = 1
),

gone as (
    -- 404: its latest answer is 404/410; the evidence is the first 404/410 after its last 2xx
    select
        o.site,
        o.url,
        o.last_seen_run,
        (select min(a.run_id) from answered as a where a.url = o.url and a.run_id > o.last_seen_run) as removed_run,
        '404' as how
    from last_ok as o
    inner join latest_answer as a on a.url = o.url and a.run_id > o.last_seen_run and a.status in (404, 410)
    union all
    -- unlisted: the latest complete run does not request it; the evidence is the first complete run that did not
    select
        o.site,
        o.url,
        o.last_seen_run,
        (
            select min(c.run_id) from complete as c
            where c.site = o.site and c.run_id > o.last_seen_run
              and not exists (select 1 from crawl_seen as x where x.run_id = c.run_id and x.url = o.url)
        ) as removed_run,
        'unlisted' as how
    from last_ok as o
    inner join latest_complete as l on l.site = o.site and l.run_id > o.last_seen_run
    where not exists (select 1 from crawl_seen as s where s.run_id = l.run_id and s.url = o.url)
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

