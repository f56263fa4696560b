"""An instructor reads the gradebook, downloads it as CSV and XLSX and opens the item analysis, in a
real Chromium."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.factories import browser_log_in, make_instructor, scoring

pytestmark = pytest.mark.browser


def test_an_instructor_downloads_the_gradebook_and_opens_the_item_analysis(
    page: Page, live_url: str, app, seed, tmp_path
):
    make_instructor(app, "prof")
    ada = seed.user("ada", "Ada Lovelace")
    class_id = seed.classroom(students=(ada,))
    seed.attempt(ada, scoring(5))  # 5 of 7

    browser_log_in(page, live_url, "prof")
    page.goto(f"{live_url}/teach/classes/{class_id}/gradebook")
    expect(page.get_by_role("heading", name="Gradebook: Eurasian History")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Ada Lovelace")
    expect(row.get_by_role("cell").first).to_have_text("71% (1 attempt)")

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    csv_download = info.value
    assert csv_download.suggested_filename == "eurasian-history-grades-csv.csv"
    csv_path = tmp_path / csv_download.suggested_filename
    csv_download.save_as(csv_path)
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:5] == [
        "Name",
        "Username",
        "Class",
        "Every type (every-type/all) %",
        "Every type (every-type/all) attempts",
    ]
    assert rows[1:] == [["Ada Lovelace", "ada", "Eurasian History", "71.43", "1", "5.0", "7.0", "71.43"]]

    with page.expect_download() as info:
        page.get_by_role("link", name="Excel workbook").click()
    xlsx_download = info.value
    assert xlsx_download.suggested_filename == "eurasian-history-grades-xlsx.xlsx"
    xlsx_path = tmp_path / xlsx_download.suggested_filename
    xlsx_download.save_as(xlsx_path)
    sheet = openpyxl.load_workbook(xlsx_path)["Grades"]
    values = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert values[1] == ["Ada Lovelace", "ada", "Eurasian History", 71.43, 1, 5, 7, 71.43]

    page.get_by_role("link", name="analysis").click()
    expect(page.get_by_role("heading", name="Item analysis: Every type")).to_be_visible()
    chart = page.get_by_role("img", name="Scores on Every type")
    expect(chart).to_be_visible()
    expect(page.locator("figure.chart svg rect")).to_have_count(10)
