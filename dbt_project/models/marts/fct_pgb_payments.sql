-- Payments from personal budgets with the grant's law, main group and client. A payment on a
-- grant the register does not hold keeps its money here (is_booked false, law unknown): it is
-- counted by the data-quality checks, never silently dropped; the answers book what is known.
-- Care before the reporting period (paid in its first month) is kept but not booked, as no invoice
-- line for it is: a year without messages has no begroting to measure it against.
-- Grain: one row per payment_id.
with

payments as (

    select * from {{ ref('stg_svb__betalingen') }}

),

grants as (

    select * from {{ ref('fct_pgb_grants') }}

),

final as (

    select
        payments.payment_id,
        payments.grant_id,
        grants.municipality_code,
        grants.law,
        grants.product_code,
        grants.product_category,
        grants.main_group,
        grants.client_key,
        payments.care_agreement_id,
        payments.carer_kind,
        payments.provider_agb,
        payments.care_month,
        payments.amount_cents,
        payments.paid_on,
        payments.corrects_payment_id,
        grants.grant_id is not null and payments.care_month >= period.first_month as is_booked

    from payments
    left join grants
        on payments.grant_id = grants.grant_id
    cross join {{ ref('int_reporting_period') }} as period

)

select * from final
