-- One row per agency x year of v_publication_ledger x scope (each scope the agency has reports in: body, its own
-- reports; area, whole-area reports): the findings about the agency's reports of that scope for that year, parser's
-- and warehouse's, counted by severity and by check, with the year's publication flags. Findings counted:
-- report_issue rows of the current version of the year's readable reports (a cross-report finding counts in the
-- year of the later report it is attached to). An agency's body and area reports are never mixed in one row.
create or replace view v_quality_scorecard as
with reports as (
    select report_id, agency_id, report_year, coalesce(scope, 'body') as scope, on_time
    from dim_report
    where is_current and parse_ok and agency_id is not null and report_year is not null
),

scopes as (
    select distinct agency_id, scope
    from reports
),

scope_years as (
    select
        agency_id,
        report_year,
        scope,
        count(*) as reports,
        count(*) filter (where on_time = false) as late_published
    from reports
    group by agency_id, report_year, scope
),

issues as (
    select r.agency_id, r.report_year, r.scope, i.source, i.check_name, i.severity
    from report_issue as i
    join reports as r using (report_id)
),

by_check as (
    select agency_id, report_year, scope, check_name, count(*) as n
    from issues
    group by agency_id, report_year, scope, check_name
),

counts as (
    select
        agency_id,
        report_year,
        scope,
        count(*) filter (where source = 'parser' and severity = 'error') as parser_errors,
        count(*) filter (where source = 'parser' and severity = 'warning') as parser_warnings,
        count(*) filter (where source = 'warehouse' and severity = 'error') as warehouse_errors,
        count(*) filter (where source = 'warehouse' and severity = 'warning') as warehouse_warnings,
        count(*) filter (where check_name = 'carry_over') as carry_over,
        count(*) filter (where check_name = 'stock_flow') as stock_flow,
        count(*) filter (where check_name = 'copy_paste') as copy_paste,
        count(*) filter (where check_name = 'publication.late') as late_reports,
        count(*) filter (where check_name = 'publication.missing_year') as missing_years_before
    from issues
    group by agency_id, report_year, scope
),

checks as (
    select
        agency_id,
        report_year,
        scope,
        to_json(map(list(check_name order by check_name), list(n order by check_name))) as issues_by_check
    from by_check
    group by agency_id, report_year, scope
),

final as (
    select
        l.agency_id,
        l.agency,
        l.report_year,
        s.scope,
        coalesce(y.reports, 0) as reports,
        l.status,
        coalesce(y.late_published, 0) > 0 or coalesce(c.late_reports, 0) > 0 as late,
        y.reports is null as missing,
        coalesce(c.parser_errors, 0) as parser_errors,
        coalesce(c.parser_warnings, 0) as parser_warnings,
        coalesce(c.warehouse_errors, 0) as warehouse_errors,
        coalesce(c.warehouse_warnings, 0) as warehouse_warnings,
        coalesce(c.carry_over, 0) as carry_over,
        coalesce(c.stock_flow, 0) as stock_flow,
        coalesce(c.copy_paste, 0) as copy_paste,
        coalesce(c.late_reports, 0) as late_reports,
        coalesce(c.missing_years_before, 0) as missing_years_before,
        coalesce(k.issues_by_check, '{}'::json) as issues_by_check
    from v_publication_ledger as l
    inner join scopes as s on s.agency_id = l.agency_id
    left join scope_years as y on y.agency_id = l.agency_id and y.report_year = l.report_year and y.scope = s.scope
    left join counts as c on c.agency_id = l.agency_id and c.report_year = l.report_year and c.scope = s.scope
    left join checks as k on k.agency_id = l.agency_id and k.report_year = l.report_year and k.scope = s.scope
)

select * from final
order by agency, agency_id, report_year, scope;
comment on view v_quality_scorecard is 'One row per agency x year of v_publication_ledger x scope the agency reports in (body, area): findings about the year''s reports of that scope (parser and cross-report checks) by severity and check, with late and missing flags.';
comment on column v_quality_scorecard.agency_id is 'dim_agency key.';
comment on column v_quality_scorecard.agency is 'Agency name (dim_agency.name).';
comment on column v_quality_scorecard.report_year is 'Year the reports cover.';
comment on column v_quality_scorecard.scope is 'dim_report.scope of the reports counted: body (the agency''s own reports) or area (whole-area reports); one row per scope the agency has any report in.';
comment on column v_quality_scorecard.reports is 'Number of reports of this scope for the year (current versions of readable reports).';
comment on column v_quality_scorecard.status is 'Publication status of the agency''s year, any scope (v_publication_ledger.status).';
comment on column v_quality_scorecard.late is 'A report of this scope for the year was published after the deadline (31 March of the next year).';
comment on column v_quality_scorecard.missing is 'No report of this scope for the year.';
comment on column v_quality_scorecard.parser_errors is 'Parser findings of severity error (within one report: sums, balances, unreadable cells).';
comment on column v_quality_scorecard.parser_warnings is 'Parser findings of severity warning.';
comment on column v_quality_scorecard.warehouse_errors is 'Cross-report findings of severity error (carry_over, stock_flow).';
comment on column v_quality_scorecard.warehouse_warnings is 'Cross-report findings of severity warning (copy_paste, publication.late, publication.missing_year).';
comment on column v_quality_scorecard.carry_over is 'carry_over findings: 上年结转 of this year differs from 结转下年度 of the year before (per applicant).';
comment on column v_quality_scorecard.stock_flow is 'stock_flow findings: a stock (现行有效, 上一年项目数量) that does not follow from the year before.';
comment on column v_quality_scorecard.copy_paste is 'copy_paste findings: tables numerically identical to the year before.';
comment on column v_quality_scorecard.late_reports is 'publication.late findings: reports of the year published after the deadline.';
comment on column v_quality_scorecard.missing_years_before is 'publication.missing_year findings: years without a report just before this one.';
comment on column v_quality_scorecard.issues_by_check is 'JSON object: number of findings per check_name, parser and warehouse ({} when none).';
