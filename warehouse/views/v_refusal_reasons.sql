-- Why requests were not granted, by reason and applicant type.
-- Grain: one row per agency x report_year x scope x reason x applicant, over the picked report of v_agency_year,
-- for every reason row the report prints (period year; value null when printed blank). Reasons are the printed
-- rows under 不予公开 / 无法提供 / 不予处理 / 其他处理 (2019+, by applicant) and the 2014/local answer rows that
-- refuse (不同意公开 reasons, 不属于本机关, 信息不存在, 告知更改补充, 告知其他途径, 其他类型答复; applicant 'total').
-- Category follows the printed table's grouping; subtotal rows (e.g. 2014 不同意公开答复数) are not reasons.
create or replace view v_refusal_reasons as
with reasons as (
    select *
    from (values
        ('requests.result.withheld.state_secret', 'withheld'),
        ('requests.result.withheld.other_laws', 'withheld'),
        ('requests.result.withheld.safety_stability', 'withheld'),
        ('requests.result.withheld.third_party', 'withheld'),
        ('requests.result.withheld.internal_affairs', 'withheld'),
        ('requests.result.withheld.process_info', 'withheld'),
        ('requests.result.withheld.enforcement_file', 'withheld'),
        ('requests.result.withheld.admin_query', 'withheld'),
        ('requests.result.unavailable.not_held', 'unavailable'),
        ('requests.result.unavailable.needs_creation', 'unavailable'),
        ('requests.result.unavailable.unclear', 'unavailable'),
        ('requests.result.not_processed.petition', 'not_processed'),
        ('requests.result.not_processed.repeated', 'not_processed'),
        ('requests.result.not_processed.publication', 'not_processed'),
        ('requests.result.not_processed.excessive', 'not_processed'),
        ('requests.result.not_processed.reconfirm', 'not_processed'),
        ('requests.result.other', 'other'),
        ('requests.result.other_no_correction', 'other'),
        ('requests.result.other_unpaid_fee', 'other'),
        ('requests.result.other_misc', 'other'),
        ('requests.answer.withheld_state_secret', 'withheld'),
        ('requests.answer.withheld_commercial_secret', 'withheld'),
        ('requests.answer.withheld_privacy', 'withheld'),
        ('requests.answer.withheld_safety_stability', 'withheld'),
        ('requests.answer.withheld_not_gov_info', 'withheld'),
        ('requests.answer.withheld_other_law', 'withheld'),
        ('requests.answer.not_this_agency', 'unavailable'),
        ('requests.answer.not_exist', 'unavailable'),
        ('requests.answer.correction_needed', 'other'),
        ('requests.answer.other_channel', 'other'),
        ('requests.answer.other', 'other')
    ) as reason(metric, category)
)

select
    y.agency_id,
    y.agency,
    y.report_year,
    y.scope,
    y.report_id,
    y.format,
    x.category,
    f.metric as reason,
    m.label_zh,
    m.description_en,
    coalesce(f.applicant, 'total') as applicant,
    f.value,
    f.approximate
from v_agency_year as y
inner join fact_disclosure as f on f.report_id = y.report_id and f.period = 'year'
inner join reasons as x on x.metric = f.metric
left join dim_metric as m on m.code = f.metric
order by y.agency, y.agency_id, y.report_year, y.scope, x.category, f.metric, applicant;

comment on view v_refusal_reasons is 'One row per agency x report year x scope x refusal reason x applicant type, over the picked report of v_agency_year.';
comment on column v_refusal_reasons.agency_id is 'dim_agency key.';
comment on column v_refusal_reasons.agency is 'Agency name.';
comment on column v_refusal_reasons.report_year is 'Year the report covers.';
comment on column v_refusal_reasons.scope is 'body or area (dim_report.scope).';
comment on column v_refusal_reasons.report_id is 'The picked report (as in v_agency_year).';
comment on column v_refusal_reasons.format is 'Format of the picked report.';
comment on column v_refusal_reasons.category is 'withheld (不予公开), unavailable (无法提供), not_processed (不予处理) or other (其他处理 and other refusing answers).';
comment on column v_refusal_reasons.reason is 'Metric code of the printed reason row (dim_metric.code).';
comment on column v_refusal_reasons.label_zh is 'Printed label of the reason (dim_metric.label_zh).';
comment on column v_refusal_reasons.description_en is 'English description of the reason (dim_metric.description_en).';
comment on column v_refusal_reasons.applicant is 'Applicant category (natural_person, ..., total); total for formats without the applicant split.';
comment on column v_refusal_reasons.value is 'Number of requests (件); null when printed blank.';
comment on column v_refusal_reasons.approximate is 'True when printed as approximate (余/多).';
