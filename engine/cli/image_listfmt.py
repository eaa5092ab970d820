"""docker/cli's formatter.Context for list commands: table (header + rows through the tabwriter) or
one template output per row (cli/command/formatter/formatter.go, v28.5)."""
from __future__ import annotations

from ..errors import DockerError
from . import gotemplate
from .format import tabwrite


def render_rows(template: str, rows: list[dict], headers: dict[str, str]) -> str:
    """template is a Docker --format value ('table {{.ID}}\\t…', '{{.ID}}', 'json') or a default table."""
    rows = [dict(sorted(row.items())) for row in rows]  # formatter.MarshalJSON: a map, keys sorted
    is_table = gotemplate.is_table_format(template)
    text = gotemplate.table_template(template)
    try:
        parsed = gotemplate.parse(text)
        lines = [parsed.execute(row) for row in rows]
        header = gotemplate.parse(text, header=True).execute(headers) if is_table else None
    except gotemplate.TemplateError as err:
        raise DockerError(err.docker_message) from None
    if not is_table:
        return "".join(line + "\n" for line in lines)
    return tabwrite("".join(line + "\n" for line in [header] + lines))


__all__ = ["render_rows"]
