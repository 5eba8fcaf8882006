-- Requests whose archived answer the parser judged not a report (non_report_page) get outcome 'not_report' and the
-- parser's reason. Run after every parse: raw_pages rebuilds crawl_seen from the run logs, which cannot know it.
-- Returns the kind of every request marked: a list page so marked then counts as failed (crawl_site_run.lists_failed),
-- so the runs that read it are no evidence of removal and the crawl state is recomputed
-- (dagster_project.resources.mark_not_reports). Marking a report request changes nothing of the state: ok and
-- not_report are both answered, its status stays.
update crawl_seen as s
set
    outcome = 'not_report',
    reason = 'not an annual report: ' || n.reason
from non_report_page as n
where s.url = n.url and s.sha256 = n.sha256 and s.outcome = 'ok'
returning s.kind
