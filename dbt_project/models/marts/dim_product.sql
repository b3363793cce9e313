-- Products with their category, groups, unit and the tariff of the latest year, plus every
-- product code the message traffic uses that the product register does not know: those are
-- kept under the explicit group 'Onbekend product' (never dropped, so money and clients still
-- add up) and flagged by the warn-level test assert_products_in_register.
-- Grain: one row per product_code.
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

registered as (

    select
        products.product_code,
        products.law,
        products.product_category,
        products.product_name,
        products.main_group,
        products.product_group,
        products.unit,
        products.frequency,
        products.tariff_year as latest_tariff_year,
        products.tariff_cents as latest_tariff_cents,
        true as is_in_register

    from products
    qualify row_number() over (partition by products.product_code order by products.tariff_year desc) = 1

),

used as (

    select product_code, law, product_category from trajectories
    union all
    select product_code, law, product_category from declaration_lines

),

unregistered as (

    select
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
        on used.product_code = registered.product_code
    where used.product_code is not null
    group by used.product_code

),

all_products as (

    select * from registered
    union all by name
    select * from unregistered

)

select
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
