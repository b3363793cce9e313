with

source as (

    select * from {{ source('ist', 'verzoeken_toewijzing') }}

),

renamed as (

    select
        afzender || '-' || identificatie as message_id,
        law,
        afzender as provider_agb,
        dagtekening as request_date,
        client_key,
        _pos as line_position,
        referentie_aanbieder as provider_reference,
        productcategorie as product_category,
        productcode as product_code,
        toewijzing_ingangsdatum as requested_start,
        toewijzing_einddatum as requested_end,
        volume,
        eenheid as unit,
        frequentie as frequency,
        verwijzer_type as referrer_type,
        _file as file_name,
        _loaded_at as loaded_at

    from source

)

select * from renamed
