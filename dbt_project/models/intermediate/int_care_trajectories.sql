-- A care trajectory is one allocation (one client, one product, one provider) that was not
-- withdrawn. It starts at the 305 start date, otherwise at the allocation's start; it ends at
-- the 307 stop date, otherwise at the allocation's end (open when neither is known).
-- Waiting time runs from the provider's 315 request to the start of care.
-- Grain: one row per allocation_id.
with

allocations as (

    select * from {{ ref('int_allocations') }}

),

events as (

    select * from {{ ref('int_care_events') }}

),

requests as (

    select * from {{ ref('stg_ist__verzoeken_toewijzing') }}

),

first_request as (

    select
        client_key,
        provider_agb,
        provider_reference,
        min(request_date) as request_date,
        min(referrer_type) as referrer_type

    from requests
    group by all

),

final as (

    select
        allocations.allocation_id,
        allocations.law,
        allocations.municipality_code,
        allocations.provider_agb,
        allocations.client_key,
        allocations.product_category,
        allocations.product_code,
        allocations.allocation_date,
        allocations.allocation_start,
        allocations.allocation_end,
        coalesce(events.care_start, allocations.allocation_start) as start_date,
        coalesce(events.care_end, allocations.allocation_end) as end_date,
        events.care_start is not null as has_start_message,
        events.care_end is not null as has_stop_message,
        events.stop_reason,
        case when events.care_start is not null then events.start_reported_on end as start_reported_on,
        case when events.care_end is not null then events.stop_reported_on end as stop_reported_on,
        first_request.request_date,
        coalesce(first_request.referrer_type, '01') as referrer_type,
        datediff('day', first_request.request_date, events.care_start) as waiting_days,
        allocations.volume,
        allocations.unit,
        units.name as unit_name,
        allocations.frequency,
        frequencies.name as frequency_name

    from allocations
    left join events
        on allocations.allocation_id = events.allocation_id
    left join first_request
        on
            allocations.client_key = first_request.client_key
            and allocations.provider_agb = first_request.provider_agb
            and allocations.provider_reference = first_request.provider_reference
    left join {{ ref('ref_eenheden') }} as units
        on allocations.unit = units.code
    left join {{ ref('ref_frequenties') }} as frequencies
        on allocations.frequency = frequencies.code
    where not allocations.is_withdrawn

)

select * from final
