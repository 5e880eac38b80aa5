"""A list of notifications reads of each hazard, zone and category only what its texts need (issue 12: the
hazard's thirty columns, eleven of them times, were most of the page's loading at 100,000 hazards)."""

import pytest

from tests.statements import ran


@pytest.mark.parametrize(("column", "read"), [
    ("hazards.deadline", True),
    ("hazards.fixed_on_the_spot", True),
    ("hazards.severity", True),
    ("zones.name", True),
    ("categories.name_en", True),
    ("hazards.description", False),
    ("hazards.received_at", False),
    ("categories.checklist", False),
    ("zones.responsible_id", False),
])
@pytest.mark.parametrize("path", ["/notifications", "/api/v1/notifications"])
def test_the_list_reads_what_its_texts_need(app, make_hazard, sign_in, path, column, read):
    hazard = make_hazard("assigned")
    client = sign_in(hazard.people.rectifier)
    response, said = ran(app, lambda: client.get(path))
    listing = next(s for s in said if "FROM notifications" in s and "ORDER BY" in s)
    table, name = column.split(".")
    assert response.status_code == 200 and f"#{hazard.id}" in response.get_data(as_text=True)
    # The joined tables are aliased (hazards_1, zones_1 …) in the eager load.
    assert any(f"{alias}.{name}" in listing for alias in (table, f"{table}_1")) == read
