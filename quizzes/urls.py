from django.urls import path

from quizzes import views

app_name = "quizzes"
urlpatterns = [
    path("", views.quiz_list, name="list"),
    path("<slug:slug>/", views.quiz_detail, name="detail"),
    path("<slug:slug>/questions/<int:position>/answer/", views.answer_question, name="answer"),
    path("<slug:slug>/retake/", views.retake_quiz, name="retake"),
    path("<slug:slug>/draft/", views.quiz_draft, name="draft"),
    path("<slug:slug>/practice/", views.practice, name="practice"),
    path("<slug:slug>/practice/<int:position>/", views.practice_answer, name="practice_answer"),
    path("<slug:slug>/attempts/<uuid:public_id>/", views.attempt_detail, name="attempt"),
]

# The review queue, mounted under /progress/ (namespace "progress") by the root URLconf.
review_patterns = [
    path("review/", views.review, name="review"),
    path("review/<slug:slug>/<int:position>/", views.review_answer, name="answer"),
    path("calendar.ics", views.calendar, name="calendar"),
]
