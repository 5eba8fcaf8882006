-- One row per column of every table and view, with the table's/view's and the column's COMMENT.
with objects as (
    select 'table' as kind, table_name as name, comment from duckdb_tables() where not internal
    union all
    select 'view', view_name, comment from duckdb_views() where not internal
)
select o.kind, o.name, o.comment as object_comment, c.column_index as position, c.column_name as column_name,
       c.data_type, c.comment
from objects as o
join duckdb_columns() as c on c.table_name = o.name
order by o.kind, o.name, c.column_index
