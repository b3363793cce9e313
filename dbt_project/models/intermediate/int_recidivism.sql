-- Recidivism (recidive): a client who comes back into care after the care had really ended.
-- The trajectories of one client in one law and product category form an episode of care while each
-- next one starts within {{ var('recidivism_gap_days') }} days after the latest end so far (or runs
-- alongside): a switch of provider, a change of level or a renewed allocation is a continuation, not
-- a return. An episode has really ended when no trajectory runs at its end, none starts within that
-- gap, and the trajectory that ended it did not stop for a change request (37) or a switch of
-- provider (38): those say the care went on elsewhere, even when the follow-up was never delivered.
-- A return is the first trajectory of a later episode that starts within
-- {{ var('recidivism_window_days') }} days after such an end. docs/definitions.md gives the reasoning.
-- Grain: one row per returning trajectory (allocation_id).
with

trajectories as (

    select * from {{ ref('int_care_trajectories') }}

),

preceded as (

    -- per trajectory, what the client's earlier trajectories in the law and category cover: the
    -- latest end (open-ended: never) and the stop reason of the trajectory that ends there
    select
        *,
        max(coalesce(end_date, date '9999-12-31')) over earlier as covered_until,
        arg_max(stop_reason, coalesce(end_date, date '9999-12-31')) over earlier as covered_until_stop_reason

    from trajectories
    window earlier as (
        partition by client_key, law, product_category
        order by start_date, allocation_id
        rows between unbounded preceding and 1 preceding
    )

)

select
    allocation_id,
    municipality_code,
    law,
    client_key,
    product_category,
    start_date,
    covered_until as previous_end_date,
    datediff('day', covered_until, start_date) as days_since_end

from preceded
where
    start_date > covered_until + to_days({{ var('recidivism_gap_days') }})
    and start_date <= covered_until + to_days({{ var('recidivism_window_days') }})
    and coalesce(covered_until_stop_reason, '') not in ('37', '38')
