from django.urls import include, path

urlpatterns = [
    path("", include("ybss.web.urls")),
]
