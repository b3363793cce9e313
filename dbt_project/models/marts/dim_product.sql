-- Products with their category, groups, unit and the tariff of the latest year, per municipality:
-- in a region the same product code may mean something else in each member, so a product is
-- (municipality_code, product_code). A register row without gemeentecode holds for every
-- municipality of GRIP_MUNICIPALITY that has no row of its own for that code. Every product code
-- the message traffic or a pgb grant uses that the register does not know for that municipality is kept under
-- the explicit group 'Onbekend product' (never dropped, so money and clients still add up) and
-- flagged by the warn-level test assert_products_in_register.
-- Grain: one row per municipality_code and product_code.
{% set unknown = "'Onbekend product'" %}
with

products as (

    select * from {{ ref('stg_suite4__producten') }}

),

categories as (

    select * from {{ ref('ref_productcategorieen') }}

),

trajectories as (

    select * from {{ ref('int_care_trajectories') }}

),

declaration_lines as (

    select * from {{ ref('int_declaration_lines') }}

),

municipalities as (

    select distinct trim(configured.code) as municipality_code
    from (select unnest(string_split('{{ var("municipalities") }}', ',')) as code) as configured
    where trim(configured.code) <> ''

),

own as (

    select * from products
    where municipality_code is not null

),

shared as (

    -- a row without gemeentecode, for each municipality without its own row for that code
    select municipalities.municipality_code, products.* exclude (municipality_code)
    from products
    cross join municipalities
    anti join own
        on municipalities.municipality_code = own.municipality_code and products.product_code = own.product_code
    where products.municipality_code is null

),

own_and_shared as (

    select * from own
    union all by name
    select * from shared

),

registered as (

    select
        municipality_code,
        product_code,
        law,
        product_category,
        product_name,
        main_group,
        product_group,
        unit,
        frequency,
        tariff_year as latest_tariff_year,
        tariff_cents as latest_tariff_cents,
        true as is_in_register

    from own_and_shared
    qualify row_number() over (partition by municipality_code, product_code order by tariff_year desc) = 1

),

used as (

    select municipality_code, product_code, law, product_category from trajectories
    union all
    select municipality_code, product_code, law, product_category from declaration_lines
    union all
    select municipality_code, product_code, law, null from {{ ref('stg_svb__toekenningen') }}

),

unregistered as (

    select
        used.municipality_code,
        used.product_code,
        min(used.law) as law,
        min(used.product_category) as product_category,
        cast(null as varchar) as product_name,
        {{ unknown }} as main_group,
        {{ unknown }} as product_group,
        cast(null as varchar) as unit,
        cast(null as varchar) as frequency,
        cast(null as integer) as latest_tariff_year,
        cast(null as bigint) as latest_tariff_cents,
        false as is_in_register

    from used
    anti join registered
        on used.municipality_code = registered.municipality_code and used.product_code = registered.product_code
    where used.product_code is not null
    group by used.municipality_code, used.product_code

),

all_products as (

    select * from registered
    union all by name
    select * from unregistered

)

select
    all_products.municipality_code,
    all_products.product_code,
    all_products.law,
    all_products.product_category,
    categories.name as product_category_name,
    all_products.product_name,
    all_products.main_group,
    all_products.product_group,
    all_products.unit,
    all_products.frequency,
    all_products.latest_tariff_year,
    all_products.latest_tariff_cents,
    all_products.is_in_register

from all_products
left join categories
    on all_products.law = categories.law and all_products.product_category = categories.code
