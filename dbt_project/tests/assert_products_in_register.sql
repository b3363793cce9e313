-- Warns (never blocks) when allocations or invoices use a product code the product register does
-- not know: the money and clients are counted under 'Onbekend product' until the register has it.
{{ config(severity='warn') }}

select municipality_code, product_code, law
from {{ ref('dim_product') }}
where not is_in_register
