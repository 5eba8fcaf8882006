-- Folds the crawl runs with run_id > $after into crawl_url_state (Warehouse.load_crawl_history), after
-- crawl_site_run_fold.sql folded them into crawl_site_run. $after is the latest run folded before; every run
-- folded so far is <= $after, so a state row's facts (all about runs after its last_ok_run) stand and the new runs,
-- all later, only add to them. '' folds every run into an empty table: the full recompute is this same statement.
-- What the state keeps, per (site, url) with a 2xx report answer (v_removed_report's last_ok), L = last_ok_run:
--   first_answer_run / last_answer_run, last_answer_status: the first and the latest answered report request of the
--     URL after L (answered: outcome ok, gone or not_report; any site's request, as the view's latest_answer);
--   first_unlisted_run / last_unlisted_run: the first and the latest evidence run of the site after L
--     (crawl_site_run.evidence) with no request of the URL (of any kind).
-- A new 2xx answer moves L: the row's facts start again from the new runs after it.
merge into crawl_url_state as t
using (
    with recent as (
        select
            run_id,
            site,
            url,
            kind,
            outcome,
            status
        from crawl_seen
        where run_id > $after
    ),

    ok as (
        select
            site,
            url,
            max(run_id) as last_ok_run
        from recent
        where kind = 'report' and status between 200 and 299
        group by site, url
    ),

    -- every (site, url) with a 2xx answer, with its L after the new runs and, when no new run moved L, its facts
    urls as (
        select
            coalesce(o.site, s.site) as site,
            coalesce(o.url, s.url) as url,
            coalesce(o.last_ok_run, s.last_ok_run) as last_ok_run,
            o.url is not null as moved,
            if(o.url is null, s.first_answer_run, null) as first_answer_run,
            if(o.url is null, s.last_answer_run, null) as last_answer_run,
            if(o.url is null, s.last_answer_status, null) as last_answer_status,
            if(o.url is null, s.first_unlisted_run, null) as first_unlisted_run,
            if(o.url is null, s.last_unlisted_run, null) as last_unlisted_run
        from crawl_url_state as s
        full join ok as o on o.site is not distinct from s.site and o.url = s.url
    ),

    answers as (
        select
            r.site,
            r.url,
            min(n.run_id) as first_answer_run,
            max(n.run_id) as last_answer_run,
            arg_max(n.status, n.run_id) as last_answer_status
        from urls as r
        inner join recent as n on n.url = r.url and n.run_id > r.last_ok_run
        where n.kind = 'report' and n.outcome in ('ok', 'gone', 'not_report')
        group by r.site, r.url
    ),

    unlisted as (
        select
            r.site,
            r.url,
            min(e.run_id) as first_unlisted_run,
            max(e.run_id) as last_unlisted_run
        from urls as r
        inner join crawl_site_run as e on e.site = r.site and e.run_id > r.last_ok_run
        where e.run_id > $after and e.evidence
          and not exists (select 1 from recent as x where x.run_id = e.run_id and x.url = r.url)
        group by r.site, r.url
    )

    select
        r.site,
        r.url,
        r.last_ok_run,
        coalesce(r.first_answer_run, a.first_answer_run) as first_answer_run,
        coalesce(a.last_answer_run, r.last_answer_run) as last_answer_run,
        if(a.last_answer_run is null, r.last_answer_status, a.last_answer_status) as last_answer_status,
        coalesce(r.first_unlisted_run, u.first_unlisted_run) as first_unlisted_run,
        coalesce(u.last_unlisted_run, r.last_unlisted_run) as last_unlisted_run
    from urls as r
    left join answers as a on a.site is not distinct from r.site and a.url = r.url
    left join unlisted as u on u.site = r.site and u.url = r.url
    where r.moved or a.url is not null or u.url is not null
) as n
on t.site is not distinct from n.site and t.url = n.url
when matched then update set
    last_ok_run = n.last_ok_run,
    first_answer_run = n.first_answer_run,
    last_answer_run = n.last_answer_run,
    last_answer_status = n.last_answer_status,
    first_unlisted_run = n.first_unlisted_run,
    last_unlisted_run = n.last_unlisted_run
when not matched then insert by name
