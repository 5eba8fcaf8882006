-- fact_disclosure keys (report_id, metric, applicant, period) that occur more than once.
select report_id, metric, applicant, period, count(*) as n
from fact_disclosure
group by report_id, metric, applicant, period
having count(*) > 1
order by report_id, metric, applicant, period
