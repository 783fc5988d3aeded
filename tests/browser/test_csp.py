"""The pages work under the Content-Security-Policy in a real browser: the queue (with an in-place htmx
filter update and the bulk bar's script), the card, the heat map (and a plotly chart drawn with our own
plotly.js), the login page's demo buttons and the admin — with no CSP violation and no console error.
The policy is shown to be enforced: an inline script injected into a page is refused and reported."""

import re

import pytest
from django.template.loader import render_to_string

from appeals.models import Status
from cur.models import Subtopic
from tests.browser.conftest import ARTIFACTS
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any script of a page runs; reports every violation to the test through a binding.
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportViolation({directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
                          source: e.sourceFile, line: e.lineNumber, column: e.columnNumber, page: location.pathname});
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation, console error and script error of every page collected."""
    seen = {"violations": [], "console": [], "errors": [], "documents": []}
    page.expose_binding("reportViolation", lambda source, v: seen["violations"].append(v))
    page.add_init_script(LISTEN)
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("response", lambda r: seen["documents"].append(r) if r.request.resource_type == "document" else None)
    return page, seen


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=True)


def login(page, username):
    page.goto("/login/")
    page.click(f"[data-demo-login][data-username={username}]")  # the login page's own script
    page.wait_for_selector("h1:has-text('Главная')")


def assert_clean(seen):
    assert seen["violations"] == [], "\n".join(map(str, seen["violations"]))
    assert seen["errors"] == [], seen["errors"]
    assert [m for m in seen["console"] if "Content Security Policy" in m or m.startswith("error")] == []
    for response in seen["documents"]:
        csp = response.headers.get("content-security-policy", "")
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
        # a chart page (the dashboard, the heat map) relaxes style attributes alone (cur/security.py chart_page)
        relaxed = [name for name, value in directives.items() if "unsafe-inline" in value]
        assert directives.get("script-src") == "'self'" and relaxed in ([], ["style-src-attr"]), (response.url, csp)


def test_the_policy_is_enforced_and_reported(watched):
    page, seen = watched
    page.goto("/login/")
    page.evaluate("""() => { const s = document.createElement("script");
                              s.textContent = "window.inlineRan = true"; document.body.append(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.inlineRan === undefined")
    assert [v["directive"] for v in seen["violations"]] == ["script-src-elem"]


def test_the_queue_and_the_card_work_under_the_policy(watched, make_appeal):
    page, seen = watched
    appeal = make_appeal(PESTRAVKA, status=Status.NEW, due_at=None, text="Не горит фонарь у дома 3 по ул. Мира")
    make_appeal(PESTRAVKA, status=Status.REGISTERED, text="Яма во дворе дома 9")
    login(page, "pestravka_operator")

    page.goto("/appeals/")
    page.wait_for_selector("text=Яма во дворе дома 9")
    page.evaluate("window.sameDocument = true")
    page.select_option("form.filters select[name=status]", label="Новое")
    page.click("button:has-text('Показать')")
    page.wait_for_url(re.compile(r"status=new"))
    page.wait_for_function("!document.body.innerText.includes('Яма во дворе дома 9')")
    assert page.evaluate("window.sameDocument === true"), "the filter reloaded the page instead of htmx swapping it"
    page.check("[data-bulk-all]")  # static/js/list.js counts the ticked rows
    assert page.locator("[data-bulk-count]").inner_text() == "1"
    shot(page, "queue")

    page.goto(f"/appeals/{appeal.pk}/")
    page.wait_for_selector("#deadline-clock, .card")
    shot(page, "card")
    assert_clean(seen)


def test_the_card_clock_shows_the_share_used(watched, make_appeal):
    """The clock bar had an inline width; it is a <progress> now, drawn by the stylesheet."""
    from datetime import timedelta

    from django.utils import timezone

    page, seen = watched
    received = timezone.now() - timedelta(days=10)
    appeal = make_appeal(PESTRAVKA, kind="incident", channel="incident", received_at=received,
                         due_at=received + timedelta(days=30))
    login(page, "pestravka_operator")
    page.goto(f"/appeals/{appeal.pk}/")
    bar = page.locator("#deadline-clock progress.clock__bar")
    assert bar.count() == 1
    assert 0 < float(bar.get_attribute("value")) <= 100
    assert bar.evaluate("b => b.getBoundingClientRect().width") > 100  # drawn across the card, not collapsed
    shot(page, "card-clock")
    assert_clean(seen)


def test_the_heat_map_and_a_plotly_chart_work_under_the_policy(watched, make_appeal):
    page, seen = watched
    make_appeal(PESTRAVKA)
    login(page, "cur_curator")
    page.goto("/heatmap/")
    page.wait_for_selector("table.heat")
    # our own plotly.js, from our static files, draws under the page's strict policy — loaded as a chart
    # page loads it, by templates/cur/_plotly.html (its stylesheets under the ids plotly.js checks)
    partial = render_to_string("cur/_plotly.html")
    for link in re.findall(r"<link [^>]*>", partial):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', link))
        page.evaluate("""(attrs) => new Promise((loaded) => { const link = document.createElement("link");
            Object.entries(attrs).forEach(([name, value]) => link.setAttribute(name, value));
            link.onload = loaded; document.head.append(link); })""", attrs)
    page.add_script_tag(url=re.search(r'<script src="([^"]+)"', partial).group(1))
    page.evaluate("""() => { const div = document.createElement("div"); div.id = "probe-chart";
        document.querySelector("main").append(div);
        return Plotly.newPlot(div, [{type: "bar", x: ["ЖКХ", "Дороги"], y: [3, 5]}], {title: {text: "Проверка"}}); }""")
    page.wait_for_selector("#probe-chart .bars")
    assert page.locator("#probe-chart .modebar").count() == 1  # styled by vendor/plotly.css, not inline
    shot(page, "heatmap")
    assert_clean(seen)


@pytest.mark.urls("tests.browser.chart_urls")
def test_a_chart_page_draws_a_plotly_heatmap_with_its_colorbar(watched):
    """plotly.js' heatmap trace writes style attributes: a chart page relaxes those alone (chart_page)."""
    page, seen = watched
    login(page, "cur_curator")
    response = page.goto("/chart-probe/")
    csp = response.headers["content-security-policy"]
    assert "style-src-attr 'unsafe-inline'" in csp and "script-src 'self';" in csp and "style-src 'self';" in csp
    page.wait_for_function("typeof Plotly === 'object'")
    page.evaluate("""() => Plotly.newPlot("probe-chart", [{type: "heatmap", z: [[1, 20], [30, 4]],
        x: ["ЖКХ", "Дороги"], y: ["Пестравский", "Тольятти"], colorscale: "YlOrRd"}])""")
    page.wait_for_selector("#probe-chart .hm image, #probe-chart .heatmaplayer image")
    page.wait_for_selector("#probe-chart .colorbar")
    shot(page, "chart-page")
    seen["documents"] = []  # this page's relaxed style-src-attr is checked above; assert_clean checks scripts
    assert_clean(seen)


def test_the_admin_works_under_the_policy(watched):
    page, seen = watched
    login(page, "cur_head")  # staff: edits reference data
    subtopic = Subtopic.objects.order_by("pk").first()
    for url in ("/admin/", "/admin/cur/subtopic/", f"/admin/cur/subtopic/{subtopic.pk}/change/",
                "/admin/cur/slapolicy/add/"):
        page.goto(url)
        page.wait_for_selector("#content")
    shifted = page.evaluate("document.getElementById('main').classList.contains('shifted')")
    page.click("#toggle-nav-sidebar")  # the admin's own script (nav_sidebar.js) answers
    assert page.evaluate("document.getElementById('main').classList.contains('shifted')") != shifted
    shot(page, "admin")
    assert_clean(seen)
