-- Recidivism (recidive): a trajectory that starts within {{ var('recidivism_window_days') }} days
-- after an earlier trajectory of the same client, law and product category ended.
-- Grain: one row per returning trajectory (allocation_id).
with

trajectories as (

    select * from {{ ref('int_care_trajectories') }}

)

select
    later.allocation_id,
    later.municipality_code,
    later.law,
    later.client_key,
    later.product_category,
    later.start_date,
    max(earlier.end_date) as previous_end_date

from trajectories as later
inner join trajectories as earlier
    on
        later.client_key = earlier.client_key
        and later.law = earlier.law
        and later.product_category = earlier.product_category
        and later.allocation_id <> earlier.allocation_id
        and earlier.end_date < later.start_date
        and later.start_date <= earlier.end_date + to_days({{ var('recidivism_window_days') }})
group by all
