from django import forms
from django.contrib import admin
from django.utils.html import format_html

from quizzes.models import Answer, Attempt, Choice, Question, Quiz, ReviewAnswer, ReviewItem


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """At least two choices and exactly one correct: checked here, and in the database."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("text")
        ]
        if len(kept) < 2:
            raise forms.ValidationError("A question needs at least two choices.")
        correct = sum(1 for data in kept if data.get("is_correct"))
        if correct != 1:
            raise forms.ValidationError(
                f"Mark exactly one choice as correct (now {correct} {'is' if correct == 1 else 'are'})."
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    extra = 0
    min_num = 2
    fields = ["position", "text", "is_correct", "rationale"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["position", "prompt", "explanation", "edit_link"]
    readonly_fields = ["edit_link"]
    show_change_link = True

    @admin.display(description="Choices")
    def edit_link(self, obj: Question):
        if not obj.pk:
            return "Save, then edit the choices."
        return format_html(
            '<a href="{}">Edit this question and its choices</a>', f"../../question/{obj.pk}/change/"
        )


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "position",
        "is_published",
        "question_total",
        "attempts",
        "completion",
        "average_score",
        "view_link",
    ]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title", "goal", "description"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["related_terms"]
    inlines = [QuestionInline]
    readonly_fields = ["view_link", "attempts", "completion", "average_score"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "goal", "description", "related_terms", "position", "is_published"]},
        ),
        ("How learners do", {"fields": ["attempts", "completion", "average_score", "view_link"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_stats()

    @admin.display(description="Questions", ordering="question_count")
    def question_total(self, obj: Quiz) -> int:
        return obj.question_count

    @admin.display(description="Attempts", ordering="attempt_count")
    def attempts(self, obj: Quiz) -> int:
        return obj.attempt_count

    @admin.display(description="Completion rate")
    def completion(self, obj: Quiz) -> str:
        return "-" if obj.completion_rate is None else f"{obj.completion_rate}%"

    @admin.display(description="Average score")
    def average_score(self, obj: Quiz) -> str:
        return "-" if obj.average_percent is None else f"{obj.average_percent}%"

    @admin.display(description="As a learner sees it")
    def view_link(self, obj: Quiz):
        if not obj.pk:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Open the quiz</a>', obj.get_absolute_url()
        )


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "quiz", "position"]
    list_filter = ["quiz"]
    search_fields = ["prompt", "explanation", "choices__text"]
    autocomplete_fields = ["related_terms", "quiz"]
    inlines = [ChoiceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz")


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "choice", "is_correct", "answered_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "user", "visitor", "number", "started_at", "finished_at"]
    list_filter = ["quiz", "finished_at"]
    search_fields = ["user__username", "quiz__title"]
    readonly_fields = ["public_id", "quiz", "user", "visitor", "number", "seed", "started_at", "finished_at"]
    inlines = [AnswerInline]
    list_select_related = ["quiz", "user"]

    def has_add_permission(self, request):
        return False


class ReviewAnswerInline(admin.TabularInline):
    model = ReviewAnswer
    extra = 0
    fields = ["choice", "is_correct", "answered_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    """A learner's review queue: visible to staff, never to other learners."""

    list_display = ["question", "user", "visitor", "step", "due_on", "last_correct"]
    list_filter = ["due_on", "last_correct"]
    search_fields = ["user__username"]
    readonly_fields = [
        "question",
        "user",
        "visitor",
        "step",
        "due_on",
        "last_choice",
        "last_correct",
        "updated_at",
    ]
    inlines = [ReviewAnswerInline]
    list_select_related = ["question__quiz", "user"]

    def has_add_permission(self, request):
        return False
