"""The question table: every row fills one field of the response and says how."""

import pytest

from schemas import SummaryResponse
from service.core.questions import COMBINE, WITH_NAMES, WITHOUT_NAMES, ByCode, Table


@pytest.mark.parametrize("table", [WITH_NAMES, WITHOUT_NAMES])
def test_the_rows_fill_every_field_of_the_response_once(table: Table) -> None:
    rows = [*table.in_turn, *table.at_the_end]
    filled = [row.fills for row in rows]

    assert sorted(filled) == sorted(set(SummaryResponse.model_fields) - {"id", "meta"})
    assert all(isinstance(row, ByCode) or row.ground is not None for row in rows if row.fills != "summary")
    assert {question.name for question in table.asked} >= {row.name for row in rows if not isinstance(row, ByCode)}
    assert COMBINE.fills == "summary"
