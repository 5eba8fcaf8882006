-- Requests whose archived answer the parser judged not a report (non_report_page) get outcome 'not_report' and the
-- parser's reason. Run after every parse: raw_pages rebuilds crawl_seen from the run logs, which cannot know it.
update crawl_seen as s
set
    outcome = 'not_report',
    reason = 'not an annual report: ' || n.reason
from non_report_page as n
where s.url = n.url and s.sha256 = n.sha256 and s.outcome = 'ok'
