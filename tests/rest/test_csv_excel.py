"""`format=csv-excel`: the CSV of every list and survey table with a UTF-8 byte-order mark,
so Excel on Windows reads accented names instead of garbling them."""

import csv
import io

from fastapi.testclient import TestClient

_BOM = b"\xef\xbb\xbf"


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith(_BOM)
    # `utf-8-sig` is how Python (and Excel) read a file that starts with the mark.
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_a_paper_list_round_trips_accented_names(api: TestClient) -> None:
    params = {"filter": "author:ré"}
    excel = api.get("/api/v1/papers", params={**params, "format": "csv-excel"})
    plain = api.get("/api/v1/papers", params={**params, "format": "csv"})
    assert excel.status_code == 200
    assert excel.headers["content-type"] == "text/csv; charset=utf-8"
    assert excel.content == _BOM + plain.content  # nothing else changes
    rows = _rows(excel.content)
    header, body = rows[0], rows[1:]
    assert header[0] == "key"  # the mark is not glued to the first column's name
    authors = {row[0]: row[header.index("authors")] for row in body}
    assert "Christopher Ré" in authors["dao2022flashattention"]
    assert "Rémi Louf" in authors["willard2023efficient"]


def test_every_csv_download_offers_it(api: TestClient) -> None:
    for path in (
        "/api/v1/engines",
        "/api/v1/benchmark-runs",
        "/api/v1/techniques/paged-attention/papers",
        "/api/v1/engines/vllm/technique-papers",
        "/api/v1/categories/quantization/papers",
    ):
        response = api.get(path, params={"format": "csv-excel"})
        assert response.status_code == 200, path
        assert response.content.startswith(_BOM + b"key,") or response.content.startswith(
            _BOM + b"slug,"
        ), (path, response.content[:40])


def test_a_survey_table(api: TestClient) -> None:
    name = api.get("/api/v1/tables").json()[0]
    excel = api.get(f"/api/v1/tables/{name}", params={"format": "csv-excel"})
    plain = api.get(f"/api/v1/tables/{name}", params={"format": "csv"})
    assert excel.content == _BOM + plain.content
    assert _rows(excel.content)[0] == next(csv.reader(io.StringIO(plain.text)))


def test_an_empty_list_is_the_mark_alone(api: TestClient) -> None:
    response = api.get("/api/v1/papers", params={"filter": "year_from:2099", "format": "csv-excel"})
    assert response.content == _BOM
