-- Payments of invoice lines as SUITE4 booked them (credits negative). Grain: one row per payment_id.
select
    payments.payment_id,
    trajectories.municipality_code,
    trajectories.law,
    payments.provider_agb,
    payments.client_key,
    payments.allocation_id,
    payments.invoice_number,
    payments.line_reference,
    payments.period_start,
    payments.period_end,
    payments.amount_cents,
    payments.paid_on

from {{ ref('stg_suite4__betalingen') }} as payments
left join {{ ref('fct_care_trajectories') }} as trajectories
    on payments.allocation_id = trajectories.allocation_id
