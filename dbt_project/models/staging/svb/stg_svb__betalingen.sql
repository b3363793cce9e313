-- Payments from personal budgets, per month of payment as the SVB delivers them: one per care
-- agreement and month of care. A correction is a negative payment naming the payment it corrects.
-- A redelivered month replaces that month at the door.
-- Grain: one row per payment_id.
with

source as (

    select * from {{ source('svb', 'betalingen') }}

),

final as (

    select
        trim(betalingsnummer) as payment_id,
        trim(toekenningsnummer) as grant_id,
        trim(zorgovereenkomst) as care_agreement_id,
        lower(trim(soort_zorgverlener)) as carer_kind,
        nullif(trim(agb_code), '') as provider_agb,
        date_trunc('month', zorgmaand)::date as care_month,
        bedrag_cents as amount_cents,
        betaaldatum as paid_on,
        nullif(trim(correctie_op), '') as corrects_payment_id

    from source
    -- a payment number delivered twice (in two months' files) is paid once: the latest delivery counts
    qualify row_number() over (partition by trim(betalingsnummer) order by _loaded_at desc, _row desc) = 1

)

select * from final
