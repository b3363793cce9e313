-- A message received more than once (same sender and identification) counts once:
-- the first file that brought it. Grain: one row per message_id.
with

messages as (

    select * from {{ ref('stg_ist__berichten') }}

),

ranked as (

    select
        *,
        row_number() over (partition by message_id order by loaded_at, file_name) as receipt_number,
        count(*) over (partition by message_id) as times_received

    from messages

)

select
    message_id,
    law,
    message_kind,
    sender,
    receiver,
    message_date,
    client_key,
    file_name as first_file,
    times_received

from ranked
where receipt_number = 1
