"""The vendored axe-core and ECharts work in Debian's Chromium with no network at all.

No Django server: the pages are set with `page.set_content` and the libraries injected from
static/vendor/ (`add_script_tag(path=...)` inlines the file, so nothing is fetched).
"""

from pathlib import Path

import pytest

from .axe import axe_violations

ECHARTS_JS = (
    Path(__file__).resolve().parents[2] / "static" / "vendor" / "echarts" / "echarts.min.js"
)

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Vendored libraries</title></head>
<body><main><h1>Dashboard</h1>{body}</main></body>
</html>"""

# A 1×1 transparent GIF, so that the image needs no request either.
GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


@pytest.fixture
def offline_page(page):
    """The page with the network cut off, failing the test if anything was requested."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.context.set_offline(True)
    yield page
    assert [url for url in requests if not url.startswith("data:")] == []


def test_axe_reports_an_image_without_alt(offline_page):
    offline_page.set_content(PAGE.format(body=f'<img src="{GIF}" id="logo">'))

    violations = axe_violations(offline_page)

    assert [v["id"] for v in violations] == ["image-alt"]
    (image_alt,) = violations
    assert image_alt["impact"] == "critical"
    assert image_alt["nodes"] == 1
    assert image_alt["targets"] == ["#logo"]
    assert image_alt["help"]


def test_axe_passes_an_image_with_alt(offline_page):
    offline_page.set_content(PAGE.format(body=f'<img src="{GIF}" alt="TalentPortal">'))

    assert axe_violations(offline_page) == []
    # Nothing but the lesser impacts either, with the impact filter off.
    assert axe_violations(offline_page, impacts=None) == []


def test_echarts_renders_a_bar_chart_offline(offline_page):
    offline_page.set_content(
        PAGE.format(body='<div id="chart" style="width: 480px; height: 320px"></div>')
    )
    offline_page.add_script_tag(path=str(ECHARTS_JS))

    rendered = offline_page.evaluate(
        """() => {
            const el = document.getElementById('chart');
            const chart = echarts.init(el);
            chart.setOption({
                animation: false,
                xAxis: {type: 'category', data: ['A', 'B', 'C']},
                yAxis: {type: 'value'},
                series: [{type: 'bar', data: [5, 20, 36], itemStyle: {color: '#c00000'}}],
            });
            const canvas = el.querySelector('canvas');
            // Count the bars' red pixels: proof that it drew, not just that it made a canvas.
            const ctx = canvas.getContext('2d');
            const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
            let red = 0;
            for (let i = 0; i < data.length; i += 4) {
                if (data[i] > 150 && data[i + 1] < 60 && data[i + 2] < 60 && data[i + 3] > 0) red++;
            }
            return {
                version: echarts.version,
                instance: echarts.getInstanceByDom(el) === chart,
                canvases: el.querySelectorAll('canvas').length,
                red,
            };
        }"""
    )

    assert rendered["instance"] is True
    assert rendered["canvases"] >= 1
    assert rendered["red"] > 1000
    assert rendered["version"]


def test_echarts_renders_svg_offline(offline_page):
    offline_page.set_content(
        PAGE.format(body='<div id="chart" style="width: 480px; height: 320px"></div>')
    )
    offline_page.add_script_tag(path=str(ECHARTS_JS))

    paths = offline_page.evaluate(
        """() => {
            const el = document.getElementById('chart');
            echarts.init(el, null, {renderer: 'svg'}).setOption({
                animation: false,
                xAxis: {type: 'category', data: ['A', 'B', 'C']},
                yAxis: {type: 'value'},
                series: [{type: 'bar', data: [5, 20, 36]}],
            });
            return el.querySelectorAll('svg path').length;
        }"""
    )

    assert paths >= 3
