"""A problem's `value` is always a JSON string or number, as the error schema says."""

from api.errors import Problem


def test_booleans_and_containers_are_spelled_out() -> None:
    assert Problem("bad", value=False).as_dict() == {"message": "bad", "value": "false"}
    assert Problem("bad", value=True).as_dict()["value"] == "true"
    assert Problem("bad", value=[1, 2]).as_dict()["value"] == "[1, 2]"
    assert Problem("bad", value=0).as_dict()["value"] == 0
    assert Problem("bad", value=1.5).as_dict()["value"] == 1.5
