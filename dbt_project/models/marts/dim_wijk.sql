-- Wijken of the municipalities, with their stadsdeel and inhabitants. Inhabitants come from the
-- CBS "Kerncijfers wijken en buurten" table as the municipality downloads it (seed
-- ref_cbs_kerncijfers_wijken); a wijk without a CBS row has no inhabitants, and rates per 1,000
-- are then left empty rather than guessed. Grain: one row per wijk_code.
with

wijken as (

    select * from {{ ref('ref_wijken') }}

),

cbs as (

    select
        trim("Codering_3") as wijk_code,
        "AantalInwoners_5" as inhabitants,
        "k_0Tot15Jaar_8" + "k_15Tot25Jaar_9" as inhabitants_under_25

    from {{ ref('ref_cbs_kerncijfers_wijken') }}
    where trim("SoortRegio_2") = 'Wijk'

),

final as (

    select
        wijken.wijk_code,
        wijken.wijk_name,
        wijken.stadsdeel,
        wijken.municipality_code,
        wijken.municipality_name,
        cbs.inhabitants,
        cbs.inhabitants_under_25

    from wijken
    left join cbs
        on wijken.wijk_code = cbs.wijk_code

)

select * from final
