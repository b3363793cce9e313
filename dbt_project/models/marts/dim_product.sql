-- Products with their category, groups, unit and the tariff of the latest year.
-- Grain: one row per product_code.
with

products as (

    select * from {{ ref('stg_suite4__producten') }}

),

categories as (

    select * from {{ ref('ref_productcategorieen') }}

)

select
    products.product_code,
    products.law,
    products.product_category,
    categories.name as product_category_name,
    products.product_name,
    products.main_group,
    products.product_group,
    products.unit,
    products.frequency,
    products.tariff_year as latest_tariff_year,
    products.tariff_cents as latest_tariff_cents

from products
left join categories
    on products.law = categories.law and products.product_category = categories.code
qualify row_number() over (partition by products.product_code order by products.tariff_year desc) = 1
