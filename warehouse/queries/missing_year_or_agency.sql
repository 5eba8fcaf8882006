-- Readable reports without a report year or an agency.
select report_id, report_year, agency, title, url
from dim_report
where parse_ok and (report_year is null or agency_id is null)
order by url
