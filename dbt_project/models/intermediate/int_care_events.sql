-- Start (305) and stop (307) of care per allocation after message hygiene: the last line
-- about an allocation wins; StatusAanlevering 2 replaces an earlier one and 3 withdraws it.
-- Grain: one row per allocation_id with a start or stop message.
with

last_start as (

    {{ last_message_line(ref('stg_ist__starts'), ['care_start']) }}

),

last_stop as (

    {{ last_message_line(ref('stg_ist__stops'), ['care_end', 'stop_reason']) }}

),

final as (

    select
        coalesce(last_start.allocation_id, last_stop.allocation_id) as allocation_id,
        case when last_start.delivery_status <> '3' then last_start.care_start end as care_start,
        case when last_stop.delivery_status <> '3' then last_stop.care_end end as care_end,
        case when last_stop.delivery_status <> '3' then last_stop.stop_reason end as stop_reason

    from last_start
    full outer join last_stop
        on last_start.allocation_id = last_stop.allocation_id

)

select * from final
