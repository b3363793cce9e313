{# Whole months between a birth year-month ('2009-04') and a date: grip keeps no birth day. #}
{% macro age_in_months(birth_year_month, on_date) -%}
    (year({{ on_date }}) * 12 + month({{ on_date }})
     - (cast(substr({{ birth_year_month }}, 1, 4) as integer) * 12 + cast(substr({{ birth_year_month }}, 6, 2) as integer)))
{%- endmacro %}

{# Age groups used in every cross-section by age. #}
{% macro age_group(age_years) -%}
    case
        when {{ age_years }} is null then 'onbekend'
        when {{ age_years }} < 4 then '0-3'
        when {{ age_years }} < 12 then '4-11'
        when {{ age_years }} < 18 then '12-17'
        when {{ age_years }} < 23 then '18-22'
        when {{ age_years }} < 65 then '23-64'
        when {{ age_years }} < 75 then '65-74'
        when {{ age_years }} < 85 then '75-84'
        else '85+'
    end
{%- endmacro %}
