-- How many list requests mark_not_reports.sql is about to mark not_report (same rows, kind list): such a list page
-- then counts as failed (crawl_site_run.lists_failed), so the runs that read it are no evidence of removal and the
-- crawl state is recomputed (dagster_project.assets.mark_not_reports). Marking a report request changes nothing of
-- the state: ok and not_report are both answered, its status stays.
select count(*) as lists
from crawl_seen as s
inner join non_report_page as n on s.url = n.url and s.sha256 = n.sha256
where s.outcome = 'ok' and s.kind = 'list'
