-- report_issue with the report's agency, year and scope: one row per finding, no joins needed.
-- Every finding of every report version (current or not, readable or not); filter on is_current for the latest.
create or replace view v_report_issue as
select
    r.agency_id,
    a.name as agency,
    r.report_year,
    r.scope,
    i.report_id,
    r.is_current,
    r.url,
    i.ordinal,
    i.source,
    i.check_name,
    i.severity,
    i.applicant,
    i.message,
    i.details
from report_issue as i
inner join dim_report as r on r.report_id = i.report_id
left join dim_agency as a on a.agency_id = r.agency_id
order by agency, r.agency_id, r.report_year, r.scope, i.report_id, i.ordinal;

comment on view v_report_issue is 'One row per finding of report_issue, with the agency, year and scope of its report (dim_report, dim_agency).';
comment on column v_report_issue.agency_id is 'dim_agency key; null when the report names no agency.';
comment on column v_report_issue.agency is 'Agency name (dim_agency.name).';
comment on column v_report_issue.report_year is 'Year the report covers; null when unknown (e.g. an unreadable document).';
comment on column v_report_issue.scope is 'dim_report.scope: body (the body''s own report) or area (a whole-area report).';
comment on column v_report_issue.report_id is 'dim_report key (for a cross-report finding: the later report).';
comment on column v_report_issue.is_current is 'The report is the current version at its URL (dim_report.is_current).';
comment on column v_report_issue.url is 'URL of the report.';
comment on column v_report_issue.ordinal is 'Position of the finding among the report''s findings (report_issue.ordinal).';
comment on column v_report_issue.source is 'parser (within one report) or warehouse (across reports of the same agency).';
comment on column v_report_issue.check_name is 'Check code, e.g. requests.balance, parse.error, carry_over, publication.late.';
comment on column v_report_issue.severity is 'error, warning or info.';
comment on column v_report_issue.applicant is 'Applicant category concerned (dim_applicant.code), if any.';
comment on column v_report_issue.message is 'Human-readable finding.';
comment on column v_report_issue.details is 'JSON object with the numbers involved.';
