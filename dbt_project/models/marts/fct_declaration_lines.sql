-- Every invoice line after message hygiene, with its status: accepted lines are booked,
-- rejected ones are kept and counted. Amounts in eurocents, credits negative.
-- Grain: one row per message_id and line_position.
select
    lines.message_id,
    lines.line_position,
    lines.municipality_code,
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
    trajectories.main_group,
    lines.period_start,
    lines.period_end,
    lines.period_month,
    lines.delivered_volume,
    -- a credit repeats the debit's volume unsigned (its amount is signed): signed here, units net out as euros do
    case when lines.debit_credit = 'C' then -lines.delivered_volume else lines.delivered_volume end as net_volume,
    lines.tariff_cents,
    lines.amount_cents,
    lines.submitted_on,
    datediff('day', last_day(lines.period_end), lines.submitted_on) <= {{ var('invoice_term_days') }} as submitted_on_time,
    lines.line_status,
    lines.line_status = 'accepted' as is_booked

from {{ ref('int_declaration_lines') }} as lines
left join {{ ref('fct_care_trajectories') }} as trajectories
    on lines.allocation_id = trajectories.allocation_id
