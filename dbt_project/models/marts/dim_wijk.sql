-- Wijken of the municipalities, with their stadsdeel and number of inhabitants.
-- Grain: one row per wijk_code.
select
    wijk_code,
    wijk_name,
    stadsdeel,
    municipality_code,
    municipality_name,
    inhabitants

from {{ ref('ref_wijken') }}
