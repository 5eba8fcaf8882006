-- One wide row per agency x report_year x scope with the headline figures: v_harmonized pivoted (same picked
-- report, same crosswalk), plus the agency's attributes and the picked report's publication and parse counts.
create or replace view v_agency_year as
with wide as (
    select
        report_id,
        any_value(candidates) as reports,
        max(value) filter (where series = 'requests') as requests,
        max(value) filter (where series = 'carried_over') as carried_over,
        max(value) filter (where series = 'handled') as handled,
        max(value) filter (where series = 'disclosed') as disclosed,
        max(value) filter (where series = 'partially_disclosed') as partially_disclosed,
        max(value) filter (where series = 'withheld') as withheld,
        max(value) filter (where series = 'unavailable') as unavailable,
        max(value) filter (where series = 'not_processed') as not_processed,
        max(value) filter (where series = 'other_handled') as other_handled,
        max(value) filter (where series = 'already_public') as already_public,
        max(value) filter (where series = 'review_total') as review_total,
        max(value) filter (where series = 'review_corrected') as review_corrected,
        max(value) filter (where series = 'litigation_total') as litigation_total,
        max(value) filter (where series = 'litigation_corrected') as litigation_corrected,
        max(value) filter (where series = 'proactive_total') as proactive_total,
        max(value) filter (where series = 'info_fees') as info_fees,
        max(value) filter (where series = 'request_fees') as request_fees,
        count(*) filter (where definition_differs and value is not null) as n_differing
    from v_harmonized
    group by report_id
)

select
    r.agency_id,
    a.name as agency,
    a.agency_type,
    a.level,
    a.region_code,
    a.province,
    a.city,
    a.county,
    r.report_year,
    r.scope,
    r.report_id,
    r.url,
    r.format,
    r.published_at,
    r.on_time,
    w.reports,
    w.requests,
    w.carried_over,
    w.handled,
    w.disclosed,
    w.partially_disclosed,
    w.withheld,
    w.unavailable,
    w.not_processed,
    w.other_handled,
    w.already_public,
    w.review_total,
    w.review_corrected,
    w.litigation_total,
    w.litigation_corrected,
    w.proactive_total,
    w.info_fees,
    w.request_fees,
    w.n_differing,
    r.n_values,
    r.n_unmapped,
    r.n_issues
from wide as w
inner join dim_report as r on r.report_id = w.report_id
left join dim_agency as a on a.agency_id = r.agency_id
order by agency, r.agency_id, r.report_year, r.scope;

comment on view v_agency_year is 'One row per agency x report year x scope: headline figures of the picked current readable report (v_harmonized pivoted).';
comment on column v_agency_year.agency_id is 'dim_agency key.';
comment on column v_agency_year.agency is 'Agency name (dim_agency.name).';
comment on column v_agency_year.agency_type is 'dim_agency.agency_type: government, department, office or other.';
comment on column v_agency_year.level is 'dim_agency.level: central, province, city, county or township.';
comment on column v_agency_year.region_code is 'Administrative division code of the agency.';
comment on column v_agency_year.province is 'Province of the agency.';
comment on column v_agency_year.city is 'City (prefecture) of the agency.';
comment on column v_agency_year.county is 'County or district of the agency.';
comment on column v_agency_year.report_year is 'Year the report covers.';
comment on column v_agency_year.scope is 'body (the body''s own report) or area (a whole-area report).';
comment on column v_agency_year.report_id is 'The picked report (most mapped values, then latest published, then smallest id).';
comment on column v_agency_year.url is 'URL of the picked report.';
comment on column v_agency_year.format is 'Format of the picked report: 2021, 2019, 2014, local or narrative.';
comment on column v_agency_year.published_at is 'Publication date of the picked report.';
comment on column v_agency_year.on_time is 'dim_report.on_time: published by 31 March of the next year; null when unknown.';
comment on column v_agency_year.reports is 'Current readable reports of this agency x year x scope (the picked one included).';
comment on column v_agency_year.requests is 'Requests received in the year (件): 本年新收 (2019+) or 收到申请数 (2014, local, prose).';
comment on column v_agency_year.carried_over is 'Requests carried over from the previous year (件; 2019+ and prose only).';
comment on column v_agency_year.handled is 'Requests handled (件): 办理结果总计 (2019+) or 申请答复数 (2014, local).';
comment on column v_agency_year.disclosed is 'Disclosed in full (件): 予以公开 (2019+) or 同意公开 (2014, local).';
comment on column v_agency_year.partially_disclosed is 'Partially disclosed (件): 部分公开 (2019+) or 同意部分公开 (2014, local).';
comment on column v_agency_year.withheld is 'Withheld (件): the 8 不予公开 reasons summed (2019+) or 不同意公开 (2014, local).';
comment on column v_agency_year.unavailable is 'Unable to provide (件): the 3 无法提供 reasons (2019+) or 不属于本机关 + 信息不存在 (2014).';
comment on column v_agency_year.not_processed is 'Not processed (件): the 5 不予处理 reasons (2019+ only).';
comment on column v_agency_year.other_handled is 'Otherwise handled (件): （六）其他处理 (2019; the 3 rows of the 2021 format summed), or 告知作出更改补充 + 告知通过其他途径办理 + 其他类型答复 (2014), 其他类型答复 (local).';
comment on column v_agency_year.already_public is 'Answered as already proactively disclosed (件): 属于已主动公开范围数 (2014 only; 2019+ reports count such answers as disclosed).';
comment on column v_agency_year.review_total is 'Administrative reconsideration cases, total (件).';
comment on column v_agency_year.review_corrected is 'Administrative reconsideration cases corrected (件).';
comment on column v_agency_year.litigation_total is 'Litigation cases, total (件): direct + after review (2019+), one total (2014, local).';
comment on column v_agency_year.litigation_corrected is 'Litigation cases corrected (件).';
comment on column v_agency_year.proactive_total is 'Information items proactively disclosed (条; 2014 and local tables, else prose).';
comment on column v_agency_year.info_fees is 'Information processing fees collected (信息处理费, the 2021 fee measures), in 元 as info_fees.collected is stored (dim_metric.unit).';
comment on column v_agency_year.request_fees is 'Fees charged for answering requests before the 2021 fee measures (依申请公开信息收取的费用), in 万元 as fees.request_fees is stored (dim_metric.unit).';
comment on column v_agency_year.n_differing is 'Headline figures here whose definition differs from the 2021 format (v_harmonized.definition_differs).';
comment on column v_agency_year.n_values is 'Mapped values of the picked report (rows in fact_disclosure).';
comment on column v_agency_year.n_unmapped is 'Printed numeric cells of the picked report mapped to no metric.';
comment on column v_agency_year.n_issues is 'Parser findings about the picked report (dim_report.n_issues).';
