"""Field documentation for the JSON Schema, from the comment beside each field.

The schema modules document every field with a comment on its line (and, where it runs
long, on the comment lines right below it): `epochs: PositiveInt = 5  # passes over ...`.
`describe` copies those comments into the JSON Schema's `description`s, so `dlcli schema`
and editors show exactly what the code says, with no second copy to keep in sync. A comment
line continues the note of the field above it when that field has a note on its own line;
otherwise (after a field without one, or after a blank line) it is held for the next field,
which takes it if it has no note of its own, so a comment written above a field never
describes the field before it.
"""

from __future__ import annotations

import inspect
import io
import tokenize
from dataclasses import dataclass, field
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
    state = _State()
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
        _read_line(line, comments, state)
        line = []
    return {name: " ".join(parts) for name, parts in comments.items() if parts}


@dataclass
class _State:
    current: str | None = None  # the field whose note the next comment line continues
    held: list[str] = field(default_factory=list)  # comment lines waiting for a field
    body_indent: int | None = None


def _read_line(words, comments: dict[str, list[str]], state: _State) -> None:
    """One logical line of the class source: a field (`name: ...`) with or without a
    comment, a comment alone (continuing a field's note, or held for the next field),
    a blank line (ends a note, drops what was held), or anything else."""
    if not words:
        state.current, state.held = None, []
        return
    notes = [t.string.lstrip("#").strip() for t in words if t.type == tokenize.COMMENT]
    notes = [n for n in notes if n and not n.startswith(("type:", "noqa"))]
    if words[0].type == tokenize.COMMENT:
        if state.current is not None:
            comments[state.current] += notes
        else:
            state.held += notes
        return
    indent = words[0].start[1]
    is_field = (len(words) > 1 and words[0].type == tokenize.NAME and words[1].string == ":"
                and indent > 0 and indent == (state.body_indent or indent))  # fmt: skip
    if indent > 0 and state.body_indent is None:
        state.body_indent = indent
    held, state.held = state.held, []
    if not is_field:
        state.current = None
        return
    comments[words[0].string] = notes or held
    state.current = words[0].string if notes else None
