"""docker/cli's formatter.Context for list commands (ps, images, history): table (header + rows
through the tabwriter) or one template output per row (cli/command/formatter/formatter.go, v28.5.2)."""
from __future__ import annotations

from engine.cli.formatter.display import tabwrite
from engine.cli.gotemplate import template as gotemplate
from engine.errors import DockerError


class Row(dict):
    """A formatter context as a template sees it: its fields by name. `{{json .}}` (and the
    `json` format) marshal it as formatter.MarshalJSON does: a map, keys sorted, json.Marshal's
    HTML escaping (`<none>` -> `\\u003cnone\\u003e`), formatter/reflect.go."""

    go_type = ""

    def go_marshal_json(self) -> dict:
        return dict(sorted(self.items()))


def render_rows(template: str, rows: list, headers: dict[str, str], go_type: str = "") -> str:
    """template is a Docker --format value ('table {{.ID}}\\t…', '{{.ID}}', 'json') or a default table.
    rows are dicts (wrapped in Row) or objects with fields, methods and go_marshal_json."""
    rows = [_row(row, go_type) if isinstance(row, dict) else row for row in rows]
    is_table = gotemplate.is_table_format(template)
    text = gotemplate.table_template(template)
    try:
        parsed = gotemplate.parse(text)
        lines = [parsed.execute(row) for row in rows]
    except gotemplate.TemplateError as err:
        raise DockerError(err.docker_message) from None
    if not is_table:
        return "".join(line + "\n" for line in lines)
    # postFormat runs the template over the header map and ignores its error: a method call such
    # as {{.Label "k"}} stops the header line there (formatter.go, Context.postFormat)
    header = gotemplate.parse(text, header=True).execute(headers, partial=True)
    return tabwrite("".join(line + "\n" for line in [header] + lines))


def _row(fields: dict, go_type: str) -> Row:
    row = Row(fields)
    row.go_type = go_type  # the Go type named in "can't evaluate field X in type T"
    return row


__all__ = ["Row", "render_rows"]
