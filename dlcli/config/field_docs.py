"""Field documentation for the JSON Schema, from the comment beside each field.

The schema modules document every field with a comment on its line (and, where it runs
long, on the comment lines right below it): `epochs: PositiveInt = 5  # passes over ...`.
`describe` copies those comments into the JSON Schema's `description`s, so `dlcli schema`
and editors show exactly what the code says, with no second copy to keep in sync. A comment
line is read as the field ABOVE it continuing, so a note never goes on the line before its
field; a blank line ends a field's comment (a section heading after one is no field's).
"""

from __future__ import annotations

import inspect
import io
import tokenize
from functools import cache
from typing import Any


def describe(schema: dict[str, Any], model: type) -> None:
    """pydantic's json_schema_extra hook: a description per property from its comment."""
    comments = field_comments(model)
    for name, prop in schema.get("properties", {}).items():
        if name in comments and "description" not in prop:
            prop["description"] = comments[name]


def field_comments(model: type) -> dict[str, str]:
    """Field name -> its comment, searching the class and the classes it inherits from."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        found.update(_own_comments(cls))
    return found


@cache
def _own_comments(cls: type) -> dict[str, str]:
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):  # built-in or made at run time (pydantic.create_model)
        return {}
    comments: dict[str, list[str]] = {}
    current: str | None = None  # the field whose comment may go on below it
    body_indent: int | None = None
    line: list[tokenize.TokenInfo] = []  # one logical line (it may span brackets)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.INDENT, tokenize.DEDENT):
            continue
        if token.type not in (tokenize.NEWLINE, tokenize.NL):
            line.append(token)
            continue
        only_comment = bool(line) and all(t.type == tokenize.COMMENT for t in line)
        if token.type == tokenize.NL and line and not only_comment:
            continue  # a line break inside brackets: the logical line goes on
        current, body_indent = _read_line(line, comments, current, body_indent)
        line = []
    return {name: " ".join(parts) for name, parts in comments.items() if parts}


def _read_line(words, comments, current, body_indent):
    """One logical line of the class source: a field (`name: ...`) with or without a
    comment, a comment alone (continuing the previous field's), or anything else."""
    if not words:
        return None, body_indent
    notes = [t.string.lstrip("#").strip() for t in words if t.type == tokenize.COMMENT]
    if words[0].type == tokenize.COMMENT:
        if current is not None:
            comments[current] += [n for n in notes if n]
        return current, body_indent
    indent = words[0].start[1]
    is_field = (len(words) > 1 and words[0].type == tokenize.NAME and words[1].string == ":"
                and indent > 0 and indent == (body_indent or indent))  # fmt: skip
    if indent > 0 and body_indent is None:
        body_indent = indent
    if not is_field:
        return None, body_indent
    comments[words[0].string] = [n for n in notes if n and not n.startswith(("type:", "noqa"))]
    return words[0].string, body_indent
