-- Series comparable across the pre-2014 (local), 2014, 2019, 2021 and narrative formats, through v_crosswalk.
-- Grain: one row per agency x report_year x scope x series, over the current version (is_current) of readable
-- reports (parse_ok) with an agency and a year. When an agency-year-scope still has several such reports, one is
-- picked: most mapped values (n_values), then latest published_at, then smallest report_id.
-- Value: the applicant-total, period-year figures of the crosswalk codes of the report's format, summed (times the
-- crosswalk factor); the first crosswalk alternative with a printed value is used. Null when nothing was printed
-- (blank cells and absent rows alike) or when the format does not print the series (in_format false).
create or replace view v_harmonized as
with candidates as (
    select
        r.*,
        count(*) over (partition by r.agency_id, r.report_year, r.scope) as candidates
    from dim_report as r
    where r.is_current and r.parse_ok and r.agency_id is not null and r.report_year is not null
),

picked as (
    select *
    from candidates
    qualify row_number() over (
        partition by agency_id, report_year, scope
        order by n_values desc, published_at desc nulls last, report_id
    ) = 1
),

series as (
    select distinct series, unit
    from v_crosswalk
),

terms as (
    select
        p.report_id,
        c.series,
        c.alternative,
        c.metric,
        c.definition_differs,
        c.note,
        f.value * c.factor as value,
        f.approximate
    from picked as p
    inner join v_crosswalk as c on c.format = p.format
    left join fact_disclosure as f
        on f.report_id = p.report_id
        and f.metric = c.metric
        and f.period = 'year'
        and coalesce(f.applicant, 'total') = 'total'
),

alternatives as (
    select
        report_id,
        series,
        alternative,
        round(sum(value), 2) as value,
        count(*) as n_terms,
        count(value) as n_printed,
        list(metric order by metric) as metrics,
        coalesce(bool_or(approximate), false) as approximate,
        bool_or(definition_differs) as definition_differs,
        min(note) as note
    from terms
    group by report_id, series, alternative
),

chosen as (
    select *
    from alternatives
    qualify row_number() over (partition by report_id, series order by (n_printed > 0) desc, alternative) = 1
)

select
    p.agency_id,
    p.agency,
    p.report_year,
    p.scope,
    p.report_id,
    p.format,
    p.candidates,
    s.series,
    s.unit,
    c.value,
    c.report_id is not null as in_format,
    c.definition_differs,
    c.alternative,
    c.metrics,
    c.n_terms,
    c.n_printed,
    c.approximate,
    c.note
from picked as p
cross join series as s
left join chosen as c on c.report_id = p.report_id and c.series = s.series
order by p.agency, p.agency_id, p.report_year, p.scope, s.series;

comment on view v_harmonized is 'One row per agency x report year x scope x harmonized series, over the picked current readable report (see warehouse/CROSSWALK.md).';
comment on column v_harmonized.agency_id is 'dim_agency key.';
comment on column v_harmonized.agency is 'Agency name (dim_agency.name).';
comment on column v_harmonized.report_year is 'Year the report covers.';
comment on column v_harmonized.scope is 'dim_report.scope: body (the body''s own report) or area (a whole-area report).';
comment on column v_harmonized.report_id is 'The picked report (most mapped values, then latest published, then smallest id).';
comment on column v_harmonized.format is 'Format of the picked report; selects the crosswalk rows.';
comment on column v_harmonized.candidates is 'Current readable reports of this agency x year x scope (the picked one included).';
comment on column v_harmonized.series is 'Harmonized series (v_crosswalk.series).';
comment on column v_harmonized.unit is 'Unit of value: the catalog unit (dim_metric.unit) of the metrics feeding the series, as in fact_disclosure.';
comment on column v_harmonized.value is 'Sum of the printed figures of the chosen crosswalk alternative, in unit; null when none was printed.';
comment on column v_harmonized.in_format is 'The report''s format prints this series (has crosswalk rows); when false, value and the crosswalk columns are null.';
comment on column v_harmonized.definition_differs is 'True when the rows used define the series differently from the 2021 format (see note).';
comment on column v_harmonized.alternative is 'Crosswalk alternative used (1 unless prose gave only the other era''s wording).';
comment on column v_harmonized.metrics is 'Metric codes of the alternative used (dim_metric.code).';
comment on column v_harmonized.n_terms is 'Number of metric codes of the alternative used.';
comment on column v_harmonized.n_printed is 'How many of them have a printed, non-blank value (n_printed < n_terms: a partial sum).';
comment on column v_harmonized.approximate is 'True when a figure used was printed as approximate (余/多).';
comment on column v_harmonized.note is 'How the definition differs (v_crosswalk.note).';
