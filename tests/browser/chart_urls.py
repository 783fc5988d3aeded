"""The platform's URLs plus one page drawing a plotly chart the way a chart page does: base.html with
templates/cur/_plotly.html and the view under cur.security.chart_page (tests/browser/test_csp.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import include, path

from cur.security import chart_page

PAGE = Template(
    "{% extends 'base.html' %}{% block extra_head %}{% include 'cur/_plotly.html' %}{% endblock %}"
    "{% block content %}<h1>Проверка графика</h1><div id=\"probe-chart\"></div>{% endblock %}"
)


@chart_page
@login_required
def chart(request):
    return HttpResponse(PAGE.render(RequestContext(request)))


urlpatterns = [path("chart-probe/", chart), path("", include("cur.urls"))]
