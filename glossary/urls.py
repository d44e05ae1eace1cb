from django.urls import path

from glossary import views

app_name = "glossary"
urlpatterns = [
    path("", views.term_list, name="list"),
    path("<slug:slug>/", views.term_detail, name="detail"),
    path("<slug:slug>/preview/", views.term_preview, name="preview"),
    path("<slug:slug>/draft/", views.term_draft, name="draft"),
]
