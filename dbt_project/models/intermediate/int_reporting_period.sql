-- The months grip reports on: from the first to the last month of the message traffic, and the
-- last day it covers (a period ending after it is not complete yet). Grain: one row.
select
    date_trunc('month', min(message_date))::date as first_month,
    date_trunc('month', max(message_date))::date as last_month,
    max(message_date)::date as data_through

from {{ ref('int_messages__first_received') }}
