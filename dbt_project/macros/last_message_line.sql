{#
  The last line about each allocation in a message table (305 or 307), counting every message
  once (the first file that brought it): later messages replace earlier ones.
#}
{% macro last_message_line(relation, columns) -%}
    select
        lines.allocation_id,
        {% for c in columns %}lines.{{ c }},{% endfor %}
        lines.delivery_status

    from {{ relation }} as lines
    inner join {{ ref('int_messages__first_received') }} as messages
        on lines.message_id = messages.message_id and lines.file_name = messages.first_file
    qualify row_number() over (partition by lines.allocation_id
                               order by lines.message_date desc, lines.loaded_at desc, lines.identification desc) = 1
{%- endmacro %}
