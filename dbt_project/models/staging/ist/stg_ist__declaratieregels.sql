with

source as (

    select * from {{ source('ist', 'declaratieregels') }}

),

renamed as (

    select
        afzender || '-' || identificatie as message_id,
        law,
        afzender as provider_agb,
        dagtekening as message_date,
        client_key,
        _pos as line_position,
        declaratie_nummer as invoice_number,
        declaratie_begindatum as invoice_period_start,
        declaratie_einddatum as invoice_period_end,
        referentie_nummer as line_reference,
        vorig_referentie_nummer as previous_line_reference,
        toewijzing_nummer as allocation_id,
        productcategorie as product_category,
        productcode as product_code,
        product_begindatum as period_start,
        product_einddatum as period_end,
        geleverd_volume as delivered_volume,
        eenheid as unit,
        product_tarief_cents as tariff_cents,
        ingediend_bedrag_cents as amount_cents,
        debet_credit as debit_credit,
        _file as file_name,
        _loaded_at as loaded_at

    from source

)

select * from renamed
