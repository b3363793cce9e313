with

source as (

    select * from {{ source('suite4', 'betalingen') }}

),

renamed as (

    select
        betalingsnummer as payment_id,
        agb_code as provider_agb,
        declaratienummer as invoice_number,
        referentienummer as line_reference,
        toewijzingnummer as allocation_id,
        client_key,
        periode_begin as period_start,
        periode_eind as period_end,
        bedrag_cents as amount_cents,
        betaaldatum as paid_on

    from source

)

select * from renamed
