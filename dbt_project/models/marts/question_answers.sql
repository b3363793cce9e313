-- The answers to the information questions, in one long table: per question, period and
-- cross-section (doorsnede) the value, its unit and the number of clients behind it.
-- Grain: question_id, period_type, period_start, cross_section, member.
with

answers as (

    select * from {{ ref('int_answers__clients') }}
    union all
    select * from {{ ref('int_answers__clients_more') }}
    union all
    select * from {{ ref('int_answers__finance') }}
    union all
    select * from {{ ref('int_answers__finance_more') }}
    union all
    select * from {{ ref('int_answers__waiting') }}
    union all
    select * from {{ ref('int_answers__volume') }}

),

catalogue as (

    select * from {{ ref('question_catalogue') }}

)

select
    answers.question_id,
    catalogue.text_nl as question_text,
    answers.municipality_code,
    answers.law,
    answers.period_type,
    answers.period_start,
    answers.cross_section,
    cast(answers.member as varchar) as member,
    cast(answers.value as double) as value,
    answers.unit,
    answers.n_clients,
    'beantwoord' as status,
    cast(null as varchar) as status_reason

from answers
inner join catalogue
    on answers.question_id = catalogue.question_id
