-- Allocation history from the 301 snapshots: every 301 repeats all current allocations of a
-- client at a provider, so each allocation has a version per 301 that carried it; the latest
-- version is its current state. RedenWijziging 13 ("Verwijderd") withdraws an allocation.
-- Grain: one row per allocation_id.
with

lines as (

    select * from {{ ref('stg_ist__toewijzingen') }}

),

messages as (

    select * from {{ ref('int_messages__first_received') }}

),

versions as (

    select
        lines.*,
        messages.receiver as provider_agb,
        row_number() over (
            partition by lines.allocation_id
            order by lines.message_date desc, lines.loaded_at desc, lines.message_id desc
        ) as recency,
        count(*) over (partition by lines.allocation_id) as version_count,
        min(lines.message_date) over (partition by lines.allocation_id) as first_message_date

    from lines
    inner join messages
        on
            lines.message_id = messages.message_id
            and lines.file_name = messages.first_file

),

final as (

    select
        allocation_id,
        law,
        municipality_code,
        provider_agb,
        client_key,
        product_category,
        product_code,
        provider_reference,
        allocation_date,
        allocation_start,
        allocation_end,
        change_reason as last_change_reason,
        coalesce(change_reason = '13', false) as is_withdrawn,
        volume,
        unit,
        frequency,
        version_count,
        first_message_date,
        message_date as last_message_date

    from versions
    where recency = 1

)

select * from final
