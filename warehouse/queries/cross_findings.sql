-- The findings of one cross-report check: report_issue rows of source $source and check $check, with their report.
select r.agency, r.report_year, i.applicant, i.severity, i.message, i.details, i.report_id, r.url
from report_issue as i
join dim_report as r using (report_id)
where i.source = $1 and i.check_name = $2
order by r.agency, r.report_year, i.report_id, i.ordinal
