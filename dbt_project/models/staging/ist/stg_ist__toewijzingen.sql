with

source as (

    select * from {{ source('ist', 'toewijzingen') }}

),

renamed as (

    select
        afzender || '-' || identificatie as message_id,
        law,
        afzender as municipality_code,
        dagtekening as message_date,
        client_key,
        _pos as line_position,
        toewijzing_nummer as allocation_id,
        referentie_aanbieder as provider_reference,
        productcategorie as product_category,
        productcode as product_code,
        toewijzingsdatum as allocation_date,
        ingangsdatum as allocation_start,
        -- SUITE4 fills an open end with 31-12-2999: that is no end date
        case when einddatum < date '2900-01-01' then einddatum end as allocation_end,
        reden_wijziging as change_reason,
        volume,
        eenheid as unit,
        frequentie as frequency,
        _file as file_name,
        _loaded_at as loaded_at

    from source

)

select * from renamed
