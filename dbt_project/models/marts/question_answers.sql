-- The answers to the information questions, in one long table: per question, period and
-- cross-section (doorsnede) the value, its unit, the number of clients behind it and a status.
-- A question no delivered source answers still has one row, with its status and the reason.
-- Every period says how far the data reach (data_through, the last day of message traffic) and
-- whether it is complete: the current month, quarter and year are not, and say so; a figure built
-- on invoices is complete only once the invoice term after the period has passed as well.
-- A question the catalogue wants in a cross-section its answers lack is `beperkt`, and says which;
-- so is a money or client figure whose personal-budget part (pgb, from the SVB) was not delivered: it
-- covers care in kind only, and says so.
-- Grain: question_id, law, period_type, period_start, cross_section, member, unit.
with

answers as (

    {%- for model in ['int_answers__clients_and_flows', 'int_answers__care_paths', 'int_answers__booked_and_budget',
                      'int_answers__cost_and_invoicing', 'int_answers__waiting', 'int_answers__volume',
                      'int_answers__wmo_process', 'int_answers__first_line', 'int_answers__quality_of_care'] %}
    {{ 'union all' if not loop.first }}
    -- by name: the answer models built per year also carry their year's input_fingerprint
    select question_id, municipality_code, law, period_type, period_start, cross_section, member, value, unit, n_clients
    from {{ ref(model) }}
    {%- endfor %}

),

dated as (

    select
        *,
        case period_type
            when 'month' then last_day(period_start)
            when 'quarter' then last_day(period_start + interval 2 month)
            when 'year' then make_date(year(period_start), 12, 31)
        end as period_end

    from answers

),

catalogue as (

    select * from {{ ref('question_catalogue') }}

),

question_elements as (

    select * from {{ ref('dq_question_elements') }}

),

data_elements as (

    select * from {{ ref('dq_data_elements') }}

),

feed_deliveries as (

    select * from {{ ref('int_feed_deliveries') }}

),

reporting_period as (

    select * from {{ ref('int_reporting_period') }}

),

cross_section_names as (

    select * from {{ ref('ref_doorsneden') }}

),

-- the cross-sections the catalogue wants that the answers do not give, named in Dutch: either no
-- answer row has the cross-section (grip does not compute it for the question), or every member is
-- 'onbekend' (the delivered data do not hold it, such as a client register without wijken)
wanted_cross_sections as (

    select
        question_id,
        unnest(string_split(cross_sections, '|')) as cross_section,
        generate_subscripts(string_split(cross_sections, '|'), 1) as position
    from catalogue

),

given_cross_sections as (

    select question_id, cross_section, bool_or(member is distinct from 'onbekend') as has_known_member
    from answers
    group by all

),

missing_cross_sections as (

    select
        wanted.question_id,
        string_agg(coalesce(names.name, wanted.cross_section), ', ' order by wanted.position)
        filter (where given.question_id is null) as not_computed,
        string_agg(coalesce(names.name, wanted.cross_section), ', ' order by wanted.position)
        filter (where not given.has_known_member) as not_in_data

    from wanted_cross_sections as wanted
    left join given_cross_sections as given
        on wanted.question_id = given.question_id and wanted.cross_section = given.cross_section
    left join cross_section_names as names
        on wanted.cross_section = names.code
    where
        wanted.cross_section not in ('', 'none')
        and wanted.question_id in (select question_id from answers)
        and (given.question_id is null or not given.has_known_member)
    group by wanted.question_id

),

-- the sources a question's core elements (and its pgb elements) come from that never delivered,
-- named for the reader
undelivered_tables as (

    select
        question_elements.question_id,
        question_elements.role,
        data_elements.source,
        string_agg(distinct feed_deliveries.table_name, ', ' order by feed_deliveries.table_name) as tables

    from question_elements
    inner join data_elements
        on question_elements.element_id = data_elements.element_id
    inner join feed_deliveries
        on data_elements.table_name = feed_deliveries.table_name
    where question_elements.role in ('kern', 'pgb') and not feed_deliveries.is_delivered
    group by question_elements.question_id, question_elements.role, data_elements.source

),

undelivered as (

    select
        question_id,
        string_agg(source || ' (' || tables || ')', '; ' order by source) as sources
    from undelivered_tables
    where role = 'kern'
    group by question_id

),

-- a figure whose pgb elements come from a source that never delivered covers care in kind only
without_pgb as (

    select
        question_id,
        string_agg(source || ' (' || tables || ')', '; ' order by source) as sources
    from undelivered_tables
    where role = 'pgb'
    group by question_id

),

answered as (

    select
        answers.question_id,
        catalogue.text_nl as question_text,
        answers.municipality_code,
        answers.law,
        answers.period_type,
        answers.period_start,
        answers.period_end,
        reporting_period.data_through,
        answers.period_end
        + to_days(case when catalogue.waits_for_invoices then {{ var('invoice_term_days') }} else 0 end)
        <= reporting_period.data_through as is_complete,
        answers.cross_section,
        cast(answers.member as varchar) as member,
        cast(answers.value as double) as value,
        answers.unit,
        answers.n_clients,
        case
            when
                catalogue.question_group = 'first_line' and answers.law = 'wmo'
                and answers.period_start < date '{{ var("stapp_reliable_from") }}' then 'onbetrouwbaar'
            when
                (missing_cross_sections.question_id is not null or without_pgb.question_id is not null)
                and catalogue.answer_status = 'beantwoord' then 'beperkt'
            else catalogue.answer_status
        end as status,
        case
            when
                catalogue.question_group = 'first_line' and answers.law = 'wmo'
                and answers.period_start < date '{{ var("stapp_reliable_from") }}'
                then 'STAPP bevat geen betrouwbare gegevens van voor juni 2018 (003 §2.2.3).'
            else nullif(catalogue.status_reason, '')
        end as catalogue_reason,
        concat_ws(
            ' ',
            'Gewenste doorsnede niet berekend: ' || missing_cross_sections.not_computed
            || ' (de catalogus vraagt erom, grip berekent deze doorsnede voor deze vraag nog niet).',
            'Gewenste doorsnede niet in de gegevens: ' || missing_cross_sections.not_in_data
            || ' (onbekend voor alle cliënten en trajecten in de geleverde bronnen).',
            'Zonder pgb: bron niet geleverd: ' || without_pgb.sources
            || '. Het cijfer omvat alleen zorg in natura tot deze bron levert.'
        ) as missing_reason

    from dated as answers
    inner join catalogue
        on answers.question_id = catalogue.question_id
    left join missing_cross_sections
        on answers.question_id = missing_cross_sections.question_id
    left join without_pgb
        on answers.question_id = without_pgb.question_id
    cross join reporting_period

),

unanswered as (

    select
        catalogue.question_id,
        catalogue.text_nl,
        '{{ var("municipality") }}',
        catalogue.law,
        cast(null as varchar),
        cast(null as date),
        cast(null as date),
        cast(null as date),
        cast(null as boolean),
        'none',
        'totaal',
        cast(null as double),
        catalogue.unit,
        cast(null as bigint),
        case
            -- no system registers it at all: that stays the stronger statement
            when catalogue.missing_status = 'niet_geregistreerd' then catalogue.missing_status
            when undelivered.sources is not null then 'bron_niet_geleverd'
            else catalogue.missing_status
        end,
        case
            when catalogue.missing_status = 'niet_geregistreerd' or undelivered.sources is null
                then coalesce(
                    nullif(catalogue.status_reason, ''), 'De geleverde bronnen bevatten geen gegevens voor deze vraag.'
                )
            else 'Bron niet geleverd: ' || undelivered.sources || '. De vraag wordt beantwoord zodra deze bron levert.'
        end

    from catalogue
    left join undelivered
        on catalogue.question_id = undelivered.question_id
    where catalogue.question_id not in (select question_id from answers)

)

select
    * exclude (catalogue_reason, missing_reason),
    nullif(concat_ws(' ', catalogue_reason, missing_reason), '') as status_reason
from answered
union all
select * from unanswered
