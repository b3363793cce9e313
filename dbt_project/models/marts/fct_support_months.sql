-- Every month a client had support, in kind or as a personal budget: the care months of
-- fct_care_months (financing 'zin') and the months a pgb grant runs (financing 'pgb'). The basis of
-- the client questions, so a total of clients is the whole picture and a client with both is one
-- client (distinct keys). A pgb has no contracted provider: its provider_agb is empty and its
-- referrer unknown; its product, category and main group come from the municipality's register.
-- Grain: one row per allocation_id per month (a grant's allocation_id is 'pgb:' and its number).
with

care_months as (

    select * from {{ ref('fct_care_months') }}

),

pgb_months as (

    select * from {{ ref('fct_pgb_months') }}
    where is_granted_month

),

clients as (

    select * from {{ ref('dim_client') }}

),

pgb as (

    select
        pgb_months.month_start,
        'pgb:' || pgb_months.grant_id as allocation_id,
        pgb_months.municipality_code,
        pgb_months.law,
        pgb_months.client_key,
        cast(null as varchar) as provider_agb,
        pgb_months.product_category,
        pgb_months.product_code,
        pgb_months.main_group,
        cast(null as varchar) as referrer_type,
        clients.wijk_code,
        clients.gender,
        {{ age_in_months('clients.birth_year_month', 'pgb_months.month_start') }} // 12 as age_years,
        {{ age_group(age_in_months('clients.birth_year_month', 'pgb_months.month_start') ~ ' // 12') }} as age_group

    from pgb_months
    left join clients
        on pgb_months.client_key = clients.client_key

)

select care_months.*, 'zin' as financing from care_months
union all by name
select pgb.*, 'pgb' as financing from pgb
