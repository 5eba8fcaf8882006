-- One row per pair of consecutive-year reports of the same agency and scope: the reports the cross-report checks
-- (warehouse/checks) compare. Only the current version of readable reports with a known agency and year; where an
-- agency has several such reports of one scope in a year, every combination is a pair.
create or replace view v_report_pair as
with reports as (
    select report_id, agency_id, scope, report_year, format
    from dim_report
    where is_current and parse_ok and agency_id is not null and report_year is not null
),

final as (
    select
        curr.agency_id,
        curr.scope,
        curr.report_id,
        curr.report_year,
        curr.format,
        prev.report_id as prev_report_id,
        prev.report_year as prev_report_year,
        prev.format as prev_format
    from reports as curr
    join reports as prev
        on prev.agency_id = curr.agency_id
        and prev.scope is not distinct from curr.scope
        and prev.report_year = curr.report_year - 1
)

select * from final
order by agency_id, report_year, report_id, prev_report_id;
comment on view v_report_pair is 'One row per pair of consecutive-year reports (current version, readable) of the same agency and scope: what the cross-report checks compare.';
comment on column v_report_pair.agency_id is 'dim_agency key.';
comment on column v_report_pair.scope is 'Report scope of both reports (dim_report.scope: body or area).';
comment on column v_report_pair.report_id is 'The later report (year t), the one cross-report findings are attached to.';
comment on column v_report_pair.report_year is 'Year t.';
comment on column v_report_pair.format is 'Format of the later report.';
comment on column v_report_pair.prev_report_id is 'The earlier report (year t-1).';
comment on column v_report_pair.prev_report_year is 'Year t-1.';
comment on column v_report_pair.prev_format is 'Format of the earlier report.';
