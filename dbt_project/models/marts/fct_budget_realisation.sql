-- Budget against realisation (uitnutting) per year, law and main product group: the booked
-- amount of accepted invoice lines (care in kind) and of the SVB's payments from personal budgets
-- (pgb), both by the year the care was given; the begroting covers both. Each municipality of a region against its
-- own budget and main groups. Grain: municipality_code, budget_year, law, main_group.
with

budget as (

    select * from {{ ref('fct_budget') }}

),

booked as (

    select
        municipality_code,
        budget_year,
        law,
        main_group,
        sum(amount_cents) filter (where financing = 'zin') as booked_in_kind_cents,
        sum(amount_cents) filter (where financing = 'pgb') as booked_pgb_cents,
        sum(amount_cents) as booked_cents

    from (select *, year(care_month) as budget_year from {{ ref('fct_booked_money') }})
    group by municipality_code, budget_year, law, main_group

)

select
    coalesce(budget.municipality_code, booked.municipality_code) as municipality_code,
    coalesce(budget.budget_year, booked.budget_year) as budget_year,
    coalesce(budget.law, booked.law) as law,
    coalesce(budget.main_group, booked.main_group) as main_group,
    budget.budget_cents,
    coalesce(booked.booked_in_kind_cents, 0) as booked_in_kind_cents,
    coalesce(booked.booked_pgb_cents, 0) as booked_pgb_cents,
    coalesce(booked.booked_cents, 0) as booked_cents,
    round(100.0 * coalesce(booked.booked_cents, 0) / nullif(budget.budget_cents, 0), 1) as utilisation_pct

from budget
full outer join booked
    on
        budget.municipality_code = booked.municipality_code
        and budget.budget_year = booked.budget_year
        and budget.law = booked.law
        and budget.main_group = booked.main_group
