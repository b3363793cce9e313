-- Start (305) and stop (307) of care per allocation after message hygiene: the last line
-- about an allocation wins; StatusAanlevering 2 replaces an earlier one and 3 withdraws it.
-- Grain: one row per allocation_id with a start or stop message.
with

starts as (

    select * from {{ ref('stg_ist__starts') }}

),

stops as (

    select * from {{ ref('stg_ist__stops') }}

),

messages as (

    select * from {{ ref('int_messages__first_received') }}

),

last_start as (

    select
        starts.allocation_id,
        starts.care_start,
        starts.delivery_status

    from starts
    inner join messages
        on starts.message_id = messages.message_id and starts.file_name = messages.first_file
    qualify row_number() over (partition by starts.allocation_id
                               order by starts.message_date desc, starts.loaded_at desc, starts.identification desc) = 1

),

last_stop as (

    select
        stops.allocation_id,
        stops.care_end,
        stops.stop_reason,
        stops.delivery_status

    from stops
    inner join messages
        on stops.message_id = messages.message_id and stops.file_name = messages.first_file
    qualify row_number() over (partition by stops.allocation_id
                               order by stops.message_date desc, stops.loaded_at desc, stops.identification desc) = 1

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
