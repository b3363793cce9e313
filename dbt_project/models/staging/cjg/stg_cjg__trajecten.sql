-- CJG trajectories. Each quarterly workbook lists the trajectories active in it with the end
-- date known at the end of that quarter; the latest delivery holds the latest state.
-- Grain: one row per trajectory_id.
with

source as (

    select * from {{ source('cjg', 'trajecten') }}

),

final as (

    select
        traject_id as trajectory_id,
        cjg_id_key as person_key,
        startdatum as start_date,
        einddatum as end_date,
        nullif(trim(product), '') as product

    from source
    qualify row_number() over (partition by traject_id order by _file desc, _loaded_at desc, _row desc) = 1

)

select * from final
