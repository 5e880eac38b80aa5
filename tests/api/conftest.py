"""Every API answer in these tests is checked against the OpenAPI document."""

from tests.api.contract import api_contract  # noqa: F401  (an autouse fixture)
