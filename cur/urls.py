from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from appeals.citizen import views as verdict_views
from cur import views

admin.site.site_header = "ЦУР — справочники и администрирование"
admin.site.site_title = "ЦУР"
admin.site.index_title = "Справочники"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("appeals/", include("appeals.urls")),
    # public: the citizen's verdict on an answer, by the signed link from the notice
    path("verdict/<str:token>/", verdict_views.verdict_page, name="verdict"),
    path("heatmap/", include("heatmap.urls")),
    path("ratings/", include("ratings.urls")),
    path("reports/", include("reports.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]
