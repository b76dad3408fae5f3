"""The fraud pages' tables and charts as a reader meets them (issue 42 item 5).

At 400 px a table of columns reads as stacked rows, each cell after its column's heading,
never a column a few letters wide; at 1280 px it stays a table. The prediction's risk chart
and the model's calibration are linear, with whole-row ticks on a count, axis titles, a
diagonal for the calibration, and a caption that says what each chart shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.support.analyst import scored_admin
from tests.support.browser import accessibility_problems, chromium, serve_app, settled, sign_in
from tests.support.web import PASSWORD, make_web_app

pytestmark = pytest.mark.slow

#: The least width, in px, of a table cell that holds text at 400 px.
LEAST_CELL = 120
#: The pages with tables of columns: datasets, a dataset, models, a prediction (its top
#: rows, estimate, members, preview), its review, the history and the admin's tables.
PAGES = (
    "/datasets",
    "/datasets/{dataset}",
    "/models",
    "/models/{model}",
    "/predictions/{prediction}",
    "/predictions/{prediction}/review",
    "/history",
    "/admin/users",
    "/admin/licences",
    "/admin/audit",
)

CELLS = """
const width = window.innerWidth, page = document.documentElement.scrollWidth;
const cells = [...document.querySelectorAll('main table th, main table td')]
  .filter(c => c.offsetParent !== null && c.textContent.trim());
const wide = c => Math.round(c.getBoundingClientRect().width);
const narrow = cells.filter(c => wide(c) < arguments[0])
  .slice(0, 3).map(c => [c.textContent.trim().slice(0, 30), wide(c)]);
const stacked = [...document.querySelectorAll('main table.stack')].length;
const label = [...document.querySelectorAll('main table.stack td[data-column]')]
  .filter(c => c.offsetParent !== null).slice(0, 1)
  .map(c => [c.dataset.column, getComputedStyle(c, '::before').content]);
const rows = [...document.querySelectorAll('main table.stack tr:not(.stack-head)')]
  .map(r => getComputedStyle(r).display);
return [width, page, cells.length, narrow, stacked, label, [...new Set(rows)]];
"""


@dataclass(frozen=True)
class Site:
    url: str
    pages: tuple[str, ...]
    model: str
    prediction: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app, services = make_web_app(tmp_path_factory.mktemp("tables"))
    with TestClient(app, raise_server_exceptions=False) as client:
        api, model_id, prediction = scored_admin(client, services)
        user = services.accounts.find(str(api.user_id))
        services.admin.create_licences(user, "basic", days=30)
        dataset_id = api.get("/api/datasets").json()["items"][0]["id"]
    ids = {"dataset": dataset_id, "model": model_id, "prediction": prediction["id"]}
    with serve_app(app) as url:
        yield Site(
            url,
            tuple(p.format(**ids) for p in PAGES),
            f"/models/{model_id}",
            f"/predictions/{prediction['id']}",
        )


@pytest.fixture(scope="module")
def driver(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    folder = tmp_path_factory.mktemp("tables-browser")
    with chromium(folder / "profile", folder / "downloads") as found:
        sign_in(found, site.url, "root@example.com", PASSWORD)
        yield found


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_tables_read_as_stacked_rows_at_400_px(site: Site, driver: WebDriver, lang: str) -> None:
    driver.set_window_size(400, 900)
    driver.get(f"{site.url}/lang/{lang}?next=/")
    failing, stacked_pages = [], 0
    for page in site.pages:
        driver.get(site.url + page)
        settled(driver)
        width, scrolled, cells, narrow, stacked, label, rows = driver.execute_script(
            CELLS, LEAST_CELL
        )
        assert cells, f"{page}: no table cell to measure"
        if scrolled > width:
            failing.append(f"{page}: {scrolled} px wide in a {width} px window")
        if narrow:
            failing.append(f"{page}: cells narrower than {LEAST_CELL} px: {narrow}")
        if stacked:
            stacked_pages += 1
            assert rows == ["block"], (page, rows)
            # Each cell shows its column's heading before it.
            assert label and label[0][0] and label[0][0] in label[0][1], (page, label)
        failing += [f"{page}: {p}" for p in accessibility_problems(driver)]
    assert not failing, "\n".join(failing)
    assert stacked_pages >= 8


def test_tables_stay_tables_on_a_wide_screen(site: Site, driver: WebDriver) -> None:
    driver.set_window_size(1280, 900)
    driver.get(f"{site.url}/lang/en?next=/")
    driver.get(site.url + "/admin/users")
    settled(driver)
    *_, stacked, _, rows = driver.execute_script(CELLS, 0)
    assert stacked >= 1 and rows == ["table-row"]


AXES = """
const p = document.getElementById(arguments[0]);
const axis = name => ({type: p._fullLayout[name].type, range: p._fullLayout[name].range,
  ticks: (p._fullLayout[name]._vals || []).map(v => v.x),
  title: (p._fullLayout[name].title || {}).text || ''});
const caption = document.getElementById(arguments[0] + '-caption');
const figure = p.closest('figure');
return [axis('xaxis'), axis('yaxis'), p.data.map(d => [d.x, d.y, d.name || '']),
  caption ? caption.textContent.trim() : '',
  figure ? figure.getAttribute('aria-labelledby') : null];
"""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_risk_chart_is_linear_counts_with_titles(
    site: Site, driver: WebDriver, lang: str
) -> None:
    driver.set_window_size(400, 900)
    driver.get(f"{site.url}/lang/{lang}?next=/")
    driver.get(site.url + site.prediction)
    settled(driver, charts_drawn=True)
    x, y, data, caption, labelled = driver.execute_script(AXES, "chart-risk")
    assert y["type"] == "linear" and y["range"][0] == 0
    assert y["ticks"] and all(float(v).is_integer() for v in y["ticks"]), y["ticks"]
    assert x["title"] and y["title"], (x, y)
    heading = driver.execute_script("return document.querySelector('#risk-chart h2').textContent")
    assert heading.strip() == (
        "Rows per risk level" if lang == "en" else "Lignes par niveau de risque"
    )
    # The bars' counts are the summary's, read back from the page's own table.
    shown = {
        level: int(re.sub(r"\D", "", driver.find_element("id", f"risk-{level}").text))
        for level in ("critical", "high", "medium", "low")
    }
    assert sorted(data[0][1]) == sorted(v for v in shown.values() if v or v in data[0][1])
    assert caption and labelled == "chart-risk-caption"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_calibration_is_linear_with_its_diagonal(
    site: Site, driver: WebDriver, lang: str
) -> None:
    driver.set_window_size(1280, 900)
    driver.get(f"{site.url}/lang/{lang}?next=/")
    driver.get(site.url + site.model)
    settled(driver, charts_drawn=True)
    x, y, data, caption, labelled = driver.execute_script(AXES, "chart-calibration")
    for axis in (x, y):
        assert axis["type"] == "linear" and axis["title"], axis
        assert [round(v, 6) for v in axis["range"]] == [0, 1], axis
        assert all(0 <= v <= 1 for v in axis["ticks"]), axis["ticks"]
    diagonal = [d for d in data if d[0] == d[1] == [0, 1]]
    assert len(diagonal) == 1
    assert diagonal[0][2] == ("Perfect calibration" if lang == "en" else "Calibration parfaite")
    assert caption and labelled == "chart-calibration-caption"
