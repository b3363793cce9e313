-- Every booked euro, by the month the care was given: accepted invoice lines of care in kind
-- (financing 'zin') and the SVB's payments from personal budgets (financing 'pgb'). One place for
-- "booked" so the budget realisation and every money answer add the same two sources the same way.
-- Grain: one row per financing and booking_id (an invoice line: message_id/line_position; a payment:
-- its number).
with

lines as (

    select * from {{ ref('fct_declaration_lines') }}
    where is_booked

),

payments as (

    select * from {{ ref('fct_pgb_payments') }}
    where is_booked

)

select
    'zin' as financing,
    message_id || '/' || line_position as booking_id,
    municipality_code,
    law,
    period_month as care_month,
    provider_agb,
    product_code,
    product_category,
    main_group,
    client_key,
    amount_cents

from lines
union all
select
    'pgb',
    payment_id,
    municipality_code,
    law,
    care_month,
    provider_agb,
    product_code,
    product_category,
    main_group,
    client_key,
    amount_cents

from payments
