-- Start (305) and stop (307) of care per allocation after message hygiene: the last line
-- about an allocation wins; StatusAanlevering 2 replaces an earlier one and 3 withdraws it.
-- The first message of each kind dates when the provider reported it (a correction later does
-- not make the report late). Grain: one row per allocation_id with a start or stop message.
with

last_start as (

    {{ last_message_line(ref('stg_ist__starts'), ['care_start']) }}

),

last_stop as (

    {{ last_message_line(ref('stg_ist__stops'), ['care_end', 'stop_reason']) }}

),

first_reported as (

    select
        allocation_id,
        min(message_date) filter (where kind = '305') as start_reported_on,
        min(message_date) filter (where kind = '307') as stop_reported_on

    from (
        select allocation_id, message_date, '305' as kind from {{ ref('stg_ist__starts') }}
        union all
        select allocation_id, message_date, '307' from {{ ref('stg_ist__stops') }}
    )
    group by allocation_id

),

final as (

    select
        coalesce(last_start.allocation_id, last_stop.allocation_id) as allocation_id,
        case when last_start.delivery_status <> '3' then last_start.care_start end as care_start,
        case when last_stop.delivery_status <> '3' then last_stop.care_end end as care_end,
        case when last_stop.delivery_status <> '3' then last_stop.stop_reason end as stop_reason,
        first_reported.start_reported_on,
        first_reported.stop_reported_on

    from last_start
    full outer join last_stop
        on last_start.allocation_id = last_stop.allocation_id
    left join first_reported
        on coalesce(last_start.allocation_id, last_stop.allocation_id) = first_reported.allocation_id

)

select * from final
