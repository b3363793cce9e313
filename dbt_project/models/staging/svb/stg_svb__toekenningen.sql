-- Personal budgets (pgb) the municipality granted, as the SVB registers them. A full register: the
-- latest file replaces the previous one at the door. A register without gemeentecode is a single
-- municipality's: the first of GRIP_MUNICIPALITY.
-- Grain: one row per grant_id.
with

source as (

    select * from {{ source('svb', 'toekenningen') }}

),

final as (

    select
        trim(toekenningsnummer) as grant_id,
        coalesce(nullif(trim(gemeentecode), ''), '{{ var("municipality") }}') as municipality_code,
        lower(trim(wet)) as law,
        trim(productcode) as product_code,
        client_key,
        bsn_valid,
        budgethouder_key as budget_holder_key,
        budgethouder_bsn_valid as budget_holder_bsn_valid,
        ingangsdatum as start_date,
        einddatum as end_date,
        toegekend_bedrag_cents as granted_cents,
        besteed_bedrag_cents as reported_spent_cents,
        resterend_bedrag_cents as reported_remaining_cents

    from source
    qualify row_number() over (partition by trim(toekenningsnummer) order by _loaded_at desc, _row desc) = 1

)

select * from final
