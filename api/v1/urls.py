"""/api/v1/: one address per resource, one APIView per operation (an address serving GET and POST joins two)."""

from django.urls import path

from api.v1 import actions, analytics, appeals, imports, problems, ratings, reference

urlpatterns = [
    path("appeals/", appeals.AppealCollectionApi.as_view(), name="api-appeal-list"),
    path("appeals/<int:pk>/", appeals.AppealDetailApi.as_view(), name="api-appeal-detail"),
    # the card's actions (api/v1/actions.py), each its own address
    path("appeals/<int:pk>/register/", actions.AppealRegisterApi.as_view(), name="api-appeal-register"),
    path("appeals/<int:pk>/assign/", actions.AppealAssignApi.as_view(), name="api-appeal-assign"),
    path("appeals/<int:pk>/forward/", actions.AppealForwardApi.as_view(), name="api-appeal-forward"),
    path("appeals/<int:pk>/request-clarification/", actions.AppealRequestClarificationApi.as_view(),
         name="api-appeal-request-clarification"),
    path("appeals/<int:pk>/extend/", actions.AppealExtendApi.as_view(), name="api-appeal-extend"),
    path("appeals/<int:pk>/interim-answer/", actions.AppealInterimAnswerApi.as_view(),
         name="api-appeal-interim-answer"),
    path("appeals/<int:pk>/answer/", actions.AppealAnswerApi.as_view(), name="api-appeal-answer"),
    path("appeals/<int:pk>/close/", actions.AppealCloseApi.as_view(), name="api-appeal-close"),
    path("problems/", problems.ProblemListApi.as_view(), name="api-problem-list"),
    path("problems/<int:pk>/", problems.ProblemDetailApi.as_view(), name="api-problem-detail"),
    path("reference/sectors/", reference.SectorListApi.as_view(), name="api-reference-sectors"),
    path("reference/subtopics/", reference.SubtopicListApi.as_view(), name="api-reference-subtopics"),
    path("reference/municipalities/", reference.MunicipalityListApi.as_view(), name="api-reference-municipalities"),
    path("reference/settlements/", reference.SettlementListApi.as_view(), name="api-reference-settlements"),
    path("reference/agencies/", reference.AgencyListApi.as_view(), name="api-reference-agencies"),
    path("ratings/", ratings.RatingApi.as_view(), name="api-ratings"),
    path("heatmap/", analytics.HeatMapApi.as_view(), name="api-heatmap"),
    path("heatmap/municipalities/<int:pk>/", analytics.HeatMapMunicipalityApi.as_view(),
         name="api-heatmap-municipality"),
    path("import-jobs/", imports.ImportJobCollectionApi.as_view(), name="api-import-job-list"),
    path("import-jobs/<int:pk>/", imports.ImportJobDetailApi.as_view(), name="api-import-job-detail"),
]
