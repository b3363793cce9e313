with

source as (

    select * from {{ source('suite4', 'producten') }}

),

renamed as (

    select
        nullif(trim(gemeentecode), '') as municipality_code,
        lower(wet) as law,
        productcategorie as product_category,
        productcode as product_code,
        omschrijving as product_name,
        hoofdgroep as main_group,
        productgroep as product_group,
        eenheid as unit,
        frequentie as frequency,
        jaar as tariff_year,
        tarief_cents as tariff_cents

    from source

)

select * from renamed
