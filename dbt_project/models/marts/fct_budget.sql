with

budget as (

    select * from {{ ref('stg_suite4__budget') }}

),

final as (

    select
        municipality_code,
        budget_year,
        law,
        main_group,
        budget_cents,
        budget_cents / 100.0 as budget_eur

    from budget

)

select * from final
