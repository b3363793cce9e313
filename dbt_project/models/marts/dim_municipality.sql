-- Municipalities in the warehouse (one, or several for a regional collaboration).
-- Grain: one row per municipality_code.
select
    municipality_code,
    any_value(municipality_name) as municipality_name,
    sum(inhabitants) as inhabitants,
    count(*) as wijken

from {{ ref('ref_wijken') }}
group by municipality_code
