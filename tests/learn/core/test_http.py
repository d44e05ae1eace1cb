import pytest

from learn.core.http import csv_download, spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a = b", "a = b"),
        ("", ""),
        (-0.25, -0.25),
        (3, 3),
    ],
)
def test_spreadsheet_safe_quotes_text_that_starts_like_a_formula(value, safe):
    assert spreadsheet_safe(value) == safe


def test_csv_download_is_an_attachment_in_utf8():
    response = csv_download("a-quiz.csv", [["Naïve", -1.5], ["=2", "ok, with a comma"]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="a-quiz.csv"'
    assert response.content.decode("utf-8") == '\ufeffNaïve,-1.5\r\n\'=2,"ok, with a comma"\r\n'
