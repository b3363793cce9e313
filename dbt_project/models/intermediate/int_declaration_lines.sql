-- Invoice lines after message hygiene, judged against the allocations: a line for an unknown
-- allocation or for a period outside its allocation is rejected (kept, counted, not booked).
-- A credit line carries the reference of the debit it cancels, so the signed amounts of the
-- accepted lines net out per allocation and month. Grain: one row per invoice line.
with

lines as (

    select * from {{ ref('stg_ist__declaratieregels') }}

),

messages as (

    select * from {{ ref('int_messages__first_received') }}

),

allocations as (

    select * from {{ ref('int_allocations') }}

),

final as (

    select
        lines.message_id,
        lines.line_position,
        messages.receiver as municipality_code,
        lines.law,
        lines.provider_agb,
        lines.client_key,
        lines.invoice_number,
        lines.line_reference,
        lines.previous_line_reference,
        lines.debit_credit,
        lines.allocation_id,
        lines.product_category,
        lines.product_code,
        lines.period_start,
        lines.period_end,
        date_trunc('month', lines.period_start)::date as period_month,
        lines.delivered_volume,
        lines.tariff_cents,
        lines.amount_cents,
        lines.message_date as submitted_on,
        case
            when allocations.allocation_id is null then 'unknown_allocation'
            when allocations.is_withdrawn then 'withdrawn_allocation'
            when
                lines.period_start < allocations.allocation_start
                or lines.period_end > coalesce(allocations.allocation_end, date '9999-12-31') then 'outside_allocation'
            else 'accepted'
        end as line_status

    from lines
    inner join messages
        on lines.message_id = messages.message_id and lines.file_name = messages.first_file
    left join allocations
        on lines.allocation_id = allocations.allocation_id

)

select * from final
