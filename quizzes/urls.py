from django.urls import path

from quizzes import views

app_name = "quizzes"
urlpatterns = [
    path("", views.quiz_list, name="list"),
    path("<slug:slug>/", views.quiz_detail, name="detail"),
    path("<slug:slug>/questions/<int:position>/answer/", views.answer_question, name="answer"),
    path("<slug:slug>/retake/", views.retake_quiz, name="retake"),
]
