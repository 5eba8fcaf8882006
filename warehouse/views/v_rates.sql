-- Rates per agency x report_year x scope, each with its sample size (the denominator) beside it.
-- 实质公开率 (disclosure_rate) = (disclosed + partially_disclosed) / handled; review and litigation correction rates
-- = corrected / total. A rate is null when its denominator is 0 or unknown, or a numerator part was not printed.
-- The *_definition_differs flags say whether any input series comes from rows defined unlike the 2021 format.
create or replace view v_rates as
with flags as (
    select
        report_id,
        bool_or(definition_differs) filter (
            where series in ('disclosed', 'partially_disclosed', 'handled')
        ) as disclosure_definition_differs,
        bool_or(definition_differs) filter (
            where series in ('review_corrected', 'review_total')
        ) as review_definition_differs,
        bool_or(definition_differs) filter (
            where series in ('litigation_corrected', 'litigation_total')
        ) as litigation_definition_differs
    from v_harmonized
    group by report_id
)

select
    y.agency_id,
    y.agency,
    y.report_year,
    y.scope,
    y.report_id,
    y.format,
    (y.disclosed + y.partially_disclosed) / nullif(y.handled, 0) as disclosure_rate,
    y.handled as disclosure_n,
    f.disclosure_definition_differs,
    y.review_corrected / nullif(y.review_total, 0) as review_correction_rate,
    y.review_total as review_n,
    f.review_definition_differs,
    y.litigation_corrected / nullif(y.litigation_total, 0) as litigation_correction_rate,
    y.litigation_total as litigation_n,
    f.litigation_definition_differs
from v_agency_year as y
inner join flags as f on f.report_id = y.report_id
order by y.agency, y.agency_id, y.report_year, y.scope;

comment on view v_rates is 'One row per agency x report year x scope: disclosure and correction rates of the picked report, each with its sample size.';
comment on column v_rates.agency_id is 'dim_agency key.';
comment on column v_rates.agency is 'Agency name.';
comment on column v_rates.report_year is 'Year the report covers.';
comment on column v_rates.scope is 'body or area (dim_report.scope).';
comment on column v_rates.report_id is 'The picked report (as in v_agency_year).';
comment on column v_rates.format is 'Format of the picked report.';
comment on column v_rates.disclosure_rate is '实质公开率: (disclosed + partially_disclosed) / handled; null when handled is 0 or unknown or a part is not printed.';
comment on column v_rates.disclosure_n is 'Sample size of disclosure_rate: requests handled (v_agency_year.handled).';
comment on column v_rates.disclosure_definition_differs is 'An input of disclosure_rate is defined unlike the 2021 format (e.g. 2014 申请答复数).';
comment on column v_rates.review_correction_rate is 'Administrative reconsideration: corrected / total; null when the total is 0 or unknown.';
comment on column v_rates.review_n is 'Sample size of review_correction_rate: reconsideration cases (review_total).';
comment on column v_rates.review_definition_differs is 'An input of review_correction_rate is defined unlike the 2021 format (2014: no pending cases).';
comment on column v_rates.litigation_correction_rate is 'Litigation: corrected / total; null when the total is 0 or unknown.';
comment on column v_rates.litigation_n is 'Sample size of litigation_correction_rate: litigation cases (litigation_total).';
comment on column v_rates.litigation_definition_differs is 'An input of litigation_correction_rate is defined unlike the 2021 format.';
