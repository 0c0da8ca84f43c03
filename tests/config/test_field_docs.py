"""dlcli.config.field_docs: which comment describes which field."""

from __future__ import annotations

from dlcli.config.field_docs import field_comments
from dlcli.config.schema_base import Strict


class Sample(Strict):
    """A section written the ways a schema module may be written."""

    plain: int = 1  # a note on its own line
    # goes on below it
    bare: int = 2
    # written above `above`, after a field with no note: it is above's, not bare's
    above: int = 3
    noted: int = 4  # noted's own note wins

    # a section heading after a blank line belongs to no field that has a note
    headed: int = 5  # headed's note


def test_each_comment_describes_the_field_it_was_written_for() -> None:
    found = field_comments(Sample)
    assert {name: found[name] for name in Sample.model_fields if name in found} == {
        "plain": "a note on its own line goes on below it",
        "above": "written above `above`, after a field with no note: it is above's, not bare's",
        "noted": "noted's own note wins",
        "headed": "headed's note",
    }
