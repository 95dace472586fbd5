"""The site's furniture (who runs it, in the header and footer; the site map, accessibility,
privacy and help pages) and its error pages, which render in the site's look without a database."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path
from django.views.defaults import bad_request, permission_denied, server_error

from programs.choices import ReportState
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory, tracked_in

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a view that fails")


# This module is also the URLconf of the tests marked urls(__name__): the site plus a failing view.
urlpatterns = [path("boom/", boom), path("", include("talentportal.urls"))]

OWNER = {
    "SITE_SPONSOR": "嘉兴市人才工作领导小组办公室",
    "SITE_ORGANIZER": "嘉兴市大数据发展管理局",
    "SITE_PHONE": "0573-82000000",
    "SITE_EMAIL": "rencai@jiaxing.example.gov.cn",
    "SITE_ADDRESS": "嘉兴市南湖区中环东路1号",
    "SITE_IDENTIFIER": "3304000001",
    "SITE_ICP": "浙ICP备00000000号",
    "SITE_PSB": "浙公网安备33040202000000号",
    "SITE_LOGO_URL": "/static/img/logo.svg",
}
BLANK = dict.fromkeys(OWNER, "")
LABELS = [
    "主办单位：",
    "承办单位：",
    "联系电话：",
    "电子邮箱：",
    "地址：",
    "网站标识码：",
    "ICP备案号：",
    "公安备案号：",
]
GLOSSARY = ["完成率", "达标进度", "同比", "环比", "下级汇总", "下限值", "未设目标", "暂无数据"]
SITE_PAGES = ["/sitemap/", "/accessibility/", "/privacy/", "/help/"]


@pytest.fixture(autouse=True)
def fresh_pages():
    """Public pages are cached whole: each test sees its own settings, not an earlier page."""
    cache.clear()
    yield
    cache.clear()


def zh():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def looks_like_the_site(html: str) -> None:
    assert 'class="site-header"' in html
    assert 'href="/static/css/site.css"' in html
    assert '<a href="/">返回首页</a>' in html
    assert 'action="/regions/"' in html and 'name="q"' in html  # the region search


@override_settings(**OWNER)
def test_the_footer_shows_who_runs_the_site_from_settings():
    html = zh().get("/help/").content.decode()

    for label in LABELS:
        assert label in html
    for name, value in OWNER.items():
        if name != "SITE_LOGO_URL":
            assert value in html, name
    assert (
        '<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">浙ICP备00000000号</a>'
        in html
    )
    assert '<a href="mailto:rencai@jiaxing.example.gov.cn">' in html
    assert '<img class="site-logo" src="/static/img/logo.svg" alt="">' in html


@override_settings(**BLANK)
def test_blank_settings_are_not_shown():
    html = zh().get("/help/").content.decode()

    for label in LABELS:
        assert label not in html
    assert "beian.miit.gov.cn" not in html
    assert "site-logo" not in html
    assert 'class="site-owner"' not in html and 'class="site-filings"' not in html


@override_settings(**{**BLANK, "SITE_SPONSOR": "某某市人才办", "SITE_ICP": "浙ICP备1号"})
def test_only_the_settings_given_are_shown():
    html = zh().get("/").content.decode()

    assert "主办单位：某某市人才办" in html
    assert "ICP备案号：" in html
    assert "承办单位：" not in html and "公安备案号：" not in html and "联系电话：" not in html


def test_the_footer_links_to_the_site_pages_and_the_open_data_api():
    html = zh().get("/").content.decode()

    for href, label in [
        ("/sitemap/", "网站地图"),
        ("/accessibility/", "无障碍声明"),
        ("/privacy/", "隐私声明"),
        ("/help/", "使用帮助"),
        ("/api/docs/", "开放数据接口"),
    ]:
        assert f'<a href="{href}">{label}</a>' in html


@pytest.mark.parametrize("page", SITE_PAGES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_site_pages_render_in_both_languages(page, language):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert 'class="site-footer"' in html


@pytest.mark.parametrize(
    "language, words",
    [
        ("zh-hans", ["名词解释", "实际完成数占目标值的比例", "1,600余"]),
        ("en", ["Glossary", "The figure reached as a share of the target", "1,600+"]),
    ],
)
def test_the_help_page_defines_each_term_in_chinese_with_english(language, words):
    html = Client(HTTP_ACCEPT_LANGUAGE=language).get("/help/").content.decode()

    for term in GLOSSARY:  # the Chinese term, whatever the language
        assert f"<dfn>{term}</dfn>" in html
    for term in ["Completion", "Progress to targets", "Year on year", "On the previous period"]:
        assert f'<span lang="en">{term}</span>' in html
    for word in words:
        assert word in html


def test_the_site_map_lists_the_provinces_with_published_figures(zhejiang, zhengxiang):
    indicator = IndicatorFactory()
    tracked_in(zhejiang, indicator)
    ReportFactory(
        indicator=indicator,
        region=zhejiang,
        period=PeriodFactory(year=2024),
        state=ReportState.APPROVED,
    )

    html = zh().get("/sitemap/").content.decode()

    assert '<a href="/regions/33/">浙江省</a>' in html
    assert "湖南省" not in html  # no figures there
    for href in ["/", "/regions/", "/corrections/", "/help/", "/accounts/login/"]:
        assert f'href="{href}"' in html


@override_settings(DEBUG=False)
@pytest.mark.parametrize("address", ["/no-such-page/", "/regions/99999999/"])
def test_a_missing_page_is_the_sites_404(address):
    response = zh().get(address)

    assert response.status_code == 404
    html = response.content.decode()
    looks_like_the_site(html)
    assert "页面不存在" in html and "Page not found" in html
    assert html.index("页面不存在") < html.index("Page not found")  # Chinese first


@override_settings(DEBUG=False)
@pytest.mark.urls(__name__)
def test_a_failing_view_gives_the_sites_500():
    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    looks_like_the_site(html)
    assert "网站出现故障" in html and "Something went wrong on our side" in html


def test_the_500_page_needs_no_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/regions/33/"))

    assert response.status_code == 500
    looks_like_the_site(response.content.decode())


def test_the_400_and_403_pages_are_the_sites(rf):
    request = rf.get("/")
    request.user = AnonymousUser()  # as the middleware leaves it
    refused = permission_denied(request, PermissionDenied())
    bad = bad_request(request, ValueError())

    assert refused.status_code == 403 and "无权访问" in refused.content.decode()
    assert bad.status_code == 400 and "请求有误" in bad.content.decode()
    looks_like_the_site(refused.content.decode())
    looks_like_the_site(bad.content.decode())


def test_a_form_without_its_csrf_token_gives_the_sites_403():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")

    response = client.post("/accounts/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    html = response.content.decode()
    looks_like_the_site(html)
    assert "表单未能提交" in html and "The form could not be sent" in html
    assert "CSRF" not in html.split("<footer")[0].split("<main")[1]  # no technical reason shown
