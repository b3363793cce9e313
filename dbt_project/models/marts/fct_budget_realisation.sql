-- Budget against realisation (uitnutting) per year, law and main product group: the booked
-- amount of accepted invoice lines by the year of delivery. Each municipality of a region against its
-- own budget and main groups. Grain: municipality_code, budget_year, law, main_group.
with

budget as (

    select * from {{ ref('fct_budget') }}

),

booked as (

    select
        municipality_code,
        year(period_month) as budget_year,
        law,
        main_group,
        sum(amount_cents) as booked_cents

    from {{ ref('fct_declaration_lines') }}
    where is_booked
    group by all

)

select
    coalesce(budget.municipality_code, booked.municipality_code) as municipality_code,
    coalesce(budget.budget_year, booked.budget_year) as budget_year,
    coalesce(budget.law, booked.law) as law,
    coalesce(budget.main_group, booked.main_group) as main_group,
    budget.budget_cents,
    coalesce(booked.booked_cents, 0) as booked_cents,
    round(100.0 * coalesce(booked.booked_cents, 0) / nullif(budget.budget_cents, 0), 1) as utilisation_pct

from budget
full outer join booked
    on
        budget.municipality_code = booked.municipality_code
        and budget.budget_year = booked.budget_year
        and budget.law = booked.law
        and budget.main_group = booked.main_group
