"""Shared set-up of the fault tests: a write token."""

import sqlalchemy as sa

from api.services.tokens import create_token
from models.access import TokenScope


def write_headers(engine: sa.Engine) -> dict[str, str]:
    """`Authorization` for a new write token on `engine`."""
    issued = create_token(engine, name="faults", scope=TokenScope.WRITE)
    return {"authorization": f"Bearer {issued.token}"}
