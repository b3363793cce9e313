-- Personal budgets (pgb) granted, with what was paid from them and what is left. The main group
-- comes from the municipality's product register (dim_product), like care in kind, so the budget
-- holder's pgb is measured against the same begroting line. Paid is the sum of the SVB's payments
-- on the grant (corrections net out); the SVB's own figures of spent and remaining are kept beside
-- it, so a difference between the two shows (is_reconciled) rather than being hidden.
-- Grain: one row per grant_id.
with

grants as (

    select * from {{ ref('stg_svb__toekenningen') }}

),

payments as (

    select grant_id, sum(amount_cents) as paid_cents, count(*) as payments
    from {{ ref('stg_svb__betalingen') }}
    group by grant_id

),

products as (

    select * from {{ ref('dim_product') }}

),

final as (

    select
        grants.grant_id,
        grants.municipality_code,
        grants.law,
        grants.product_code,
        products.product_category,
        products.product_group,
        coalesce(products.main_group, 'onbekend') as main_group,
        grants.client_key,
        grants.budget_holder_key,
        coalesce(grants.budget_holder_key = grants.client_key, false) as holder_is_client,
        grants.start_date,
        grants.end_date,
        grants.granted_cents,
        coalesce(payments.paid_cents, 0) as paid_cents,
        grants.granted_cents - coalesce(payments.paid_cents, 0) as unspent_cents,
        coalesce(payments.payments, 0) as payments,
        grants.reported_spent_cents,
        grants.reported_remaining_cents,
        coalesce(
            grants.reported_spent_cents = coalesce(payments.paid_cents, 0)
            and grants.reported_remaining_cents = grants.granted_cents - coalesce(payments.paid_cents, 0),
            false
        ) as is_reconciled

    from grants
    left join payments
        on grants.grant_id = payments.grant_id
    left join products
        on grants.municipality_code = products.municipality_code and grants.product_code = products.product_code

)

select * from final
