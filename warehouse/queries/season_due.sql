-- Report season: agencies whose report on `$due_year` is not in the warehouse although they published for the year
-- before. Any scope and version counts as published (a report later removed from its site was published).
with published as (
    select agency_id, report_year
    from dim_report
    where parse_ok and agency_id is not null and report_year is not null
    group by all
)

select a.agency_id, a.name as agency, $due_year::smallint as due_year, ($due_year - 1)::smallint as previous_year
from published as p
join dim_agency as a on a.agency_id = p.agency_id
where p.report_year = $due_year - 1
    and not exists (select 1 from published as q where q.agency_id = p.agency_id and q.report_year = $due_year)
order by agency, a.agency_id
