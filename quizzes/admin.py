from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from glossary.models import Term
from learn.core.http import csv_download
from learn.core.search import plain_text
from learn.core.widgets import MarkdownPreviewAdmin
from quizzes import analysis, checks, interchange, numbers
from quizzes.models import (
    Answer,
    Attempt,
    Card,
    Choice,
    Objective,
    Question,
    Quiz,
    Review,
    item_analyses,
    item_analysis,
)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{round(100 * value)}%"


def decimal(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """The choices a question's kind needs: one best answer, exactly one correct; select all that
    apply, at least one correct and one wrong; a number question, none."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("text")
        ]
        kind = getattr(self.instance, "kind", Question.Kind.SINGLE)
        if kind == Question.Kind.NUMERIC:
            if kept:
                raise forms.ValidationError(
                    "A number question has no choices: delete them, or change its kind."
                )
            return
        if len(kept) < 2:
            raise forms.ValidationError("A question needs at least two choices.")
        correct = sum(1 for data in kept if data.get("is_correct"))
        if kind == Question.Kind.MULTIPLE:
            if not correct or correct == len(kept):
                raise forms.ValidationError(
                    "Select all that apply needs at least one correct and one wrong choice "
                    f"(now {correct} of {len(kept)} are correct)."
                )
        elif correct != 1:
            raise forms.ValidationError(
                f"Mark exactly one choice as correct (now {correct} {'is' if correct == 1 else 'are'})."
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    template = "admin/quizzes/question/choice_inline.html"  # the tabular inline, and its live checks
    extra = 0
    min_num = 0
    fields = ["position", "text", "is_correct", "rationale"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}


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
            '<a href="{}">Edit this question and its choices</a>',
            reverse("admin:quizzes_question_change", args=[obj.pk]),
        )


@admin.register(Quiz)
class QuizAdmin(MarkdownPreviewAdmin, admin.ModelAdmin):
    markdown_fields = ("description",)
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
            '<a href="{}" target="_blank" rel="noopener">View as learner</a>{} · <a href="{}">Item analysis</a>',
            obj.as_learner_url(),
            "" if obj.is_published else " (a draft: staff only)",
            reverse("admin:quizzes_quiz_analysis", args=[obj.pk]),
        )

    def view_on_site(self, obj: Quiz) -> str:
        return obj.as_learner_url()

    def get_urls(self):
        return [
            path(
                "<int:quiz_id>/analysis/",
                self.admin_site.admin_view(self.analysis_view),
                name="quizzes_quiz_analysis",
            ),
            *interchange.urls(self),
            *super().get_urls(),
        ]

    def analysis_view(self, request, quiz_id: int):
        """Every question of a quiz with its statistics and a chart of its choices' pick rates,
        sortable by any column; ``?format=csv`` downloads the same rows."""
        quiz = get_object_or_404(Quiz, pk=quiz_id)
        if not self.has_view_permission(request, quiz):
            raise PermissionDenied
        rows = analysis_rows(quiz)
        sort = request.GET.get("sort", "position")
        keys = {
            "position": lambda r: r["question"].position,
            "attempts": lambda r: r["attempts"],
            "facility": lambda r: (r["facility"] is None, r["facility"] or 0),
            "discrimination": lambda r: (r["discrimination"] is None, r["discrimination"] or 0),
            "flags": lambda r: len(r["flags"]),
        }
        if sort.lstrip("-") not in keys:
            sort = "position"
        rows.sort(key=keys[sort.lstrip("-")], reverse=sort.startswith("-"))
        if request.GET.get("format") == "csv":
            return csv_download(f"{quiz.slug}-item-analysis.csv", analysis_table(rows))
        columns = [
            ("position", "#"),
            ("attempts", "Attempts"),
            ("facility", "Facility"),
            ("discrimination", "Discrimination"),
            ("flags", "Flags"),
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Item analysis: {quiz}",
            "quiz": quiz,
            "rows": rows,
            "sort": sort,
            "columns": columns,
        }
        return TemplateResponse(request, "admin/quizzes/quiz/analysis.html", context)


def letter(index: int) -> str:
    """A, B, ... Z, then AA, AB: how the analysis names a question's choices (by position)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def analysis_rows(quiz: Quiz) -> list[dict]:
    """One row per question of ``quiz`` (by position), with its statistics and its choices'
    pick rates, for the analysis page and its CSV. Six queries in all."""
    stats = item_analysis(quiz)
    return [
        analysis_row(question, stats.get(question.pk))
        for question in quiz.questions.order_by("position").prefetch_related("choices")
    ]


def analysis_row(question: Question, s) -> dict:
    """A question's statistics (``s``, an ItemStats or None) and its choices' pick rates."""
    answered = s is not None and s.attempts > 0
    choices = [
        {
            "letter": letter(index),
            "text": plain_text(choice.text),
            "correct": choice.is_correct,
            "rate": s.pick_rates.get(choice.pk, 0.0) if answered else None,
            "percent": round(100 * s.pick_rates.get(choice.pk, 0.0)) if answered else None,
        }
        for index, choice in enumerate(question.choices.all())
    ]
    return {
        "question": question,
        "prompt_start": question.prompt_start(),
        "attempts": s.attempts if s else 0,
        "facility": s.facility if s else None,
        "discrimination": s.discrimination if s else None,
        "flags": s.flags if s else (),
        "choices": choices,
        "answered": answered,
    }


def analysis_table(rows: list[dict]) -> list[list]:
    """The analysis as a spreadsheet: a header, then one line per question; each choice gives two
    columns, its text (marked when correct) and the share of learners who picked it."""
    width = max((len(row["choices"]) for row in rows), default=0)
    header = [
        "Position",
        "Question",
        "Kind",
        "Version",
        "Attempts",
        "Facility (%)",
        "Discrimination",
        "Flags",
    ]
    for index in range(width):
        header += [f"Choice {letter(index)}", f"{letter(index)} picked (%)"]
    table = [header]
    for row in rows:
        question = row["question"]
        line = [
            question.position,
            row["prompt_start"],
            question.get_kind_display(),
            question.version,
            row["attempts"],
            "" if row["facility"] is None else round(100 * row["facility"], 1),
            "" if row["discrimination"] is None else round(row["discrimination"], 3),
            "; ".join(row["flags"]),
        ]
        for choice in row["choices"]:
            line += [
                choice["text"] + (" (correct)" if choice["correct"] else ""),
                "" if choice["rate"] is None else round(100 * choice["rate"], 1),
            ]
        table.append(line + [""] * (len(header) - len(line)))
    return table


class NumberWithChecks(forms.NumberInput):
    """A number field with the place where the live checks about it appear."""

    template_name = "admin/widgets/number_with_checks.html"

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "aria-describedby": f"live-checks-{name}"}
        return super().get_context(name, value, attrs)


LIVE_FIELDS = (checks.PROMPT, checks.EXPLANATION, checks.CHOICES, checks.ANSWER)
MAX_DRAFT_CHOICES = 50


def _number(text: str) -> float | None:
    """The number typed, read as learners' answers are (finite only), or None."""
    try:
        return numbers.parse(text)
    except numbers.NotANumber:
        return None


def draft_issues(post) -> list[checks.Issue]:
    """The checks of ``Question.issues()``, on a question form as it is being typed (not saved):
    the admin's own field names, the choices inline's ``choices-N-...`` rows."""
    kind = post.get("kind", "")
    if kind not in Question.Kind.values:
        kind = Question.Kind.SINGLE
    try:
        rows = min(max(int(post.get("choices-TOTAL_FORMS", "0")), 0), MAX_DRAFT_CHOICES)
    except ValueError:
        rows = 0
    choices = []
    for i in range(rows):
        text = post.get(f"choices-{i}-text", "").strip()
        if text and not post.get(f"choices-{i}-DELETE"):
            choices.append(
                checks.ChoiceData(
                    text, bool(post.get(f"choices-{i}-is_correct")), post.get(f"choices-{i}-rationale", "")
                )
            )
    term_ids = [
        int(v) for v in post.getlist("related_terms") if v.isascii() and v.isdecimal() and len(v) < 12
    ]
    missing = list(
        Term.objects.filter(pk__in=term_ids, is_published=False)
        .order_by("name")
        .values_list("name", flat=True)
    )
    tolerance = _number(post.get("tolerance", "")) if post.get("tolerance", "") != "" else 0.0
    return checks.check_question(
        prompt=post.get("prompt", ""),
        explanation=post.get("explanation", ""),
        choices=choices,
        missing_terms=missing,
        kind=kind,
        accepted_value=_number(post.get("accepted_value", "")),
        tolerance=tolerance if tolerance is not None else 0.0,
    )


class QuestionForm(forms.ModelForm):
    same_version = forms.BooleanField(
        required=False,
        label="Save as the same version",
        help_text=(
            "For a typo or wording fix that does not change what the question asks or which answers "
            "are right. Answers already given keep counting in this version's statistics, so do not "
            "use it for a change of meaning: without it, such a change starts a new version and the "
            "statistics start again."
        ),
    )

    class Meta:
        model = Question
        widgets = {"accepted_value": NumberWithChecks}
        fields = [  # noqa: RUF100 (the admin's fieldsets choose what shows)
            "quiz",
            "position",
            "kind",
            "prompt",
            "explanation",
            "related_terms",
            "objective",
            "level",
            "accepted_value",
            "tolerance",
            "tolerance_kind",
            "unit",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "tolerance", "tolerance_kind"):  # the model's defaults when left out
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        data["kind"] = data.get("kind") or Question.Kind.SINGLE
        data["tolerance_kind"] = data.get("tolerance_kind") or Question.Tolerance.ABSOLUTE
        if data.get("tolerance") is None:
            data["tolerance"] = 0.0
        if data.get("kind") == Question.Kind.NUMERIC and data.get("accepted_value") is None:
            self.add_error("accepted_value", "A number question needs the accepted value.")
        if (data.get("tolerance") or 0) < 0:
            self.add_error("tolerance", "The tolerance cannot be negative.")
        return data


def stats_for(request, quiz_ids) -> dict[int, analysis.ItemStats]:
    """``item_analyses`` of these quizzes, each computed once per request: the flag filter and
    the list's columns share them (kept on the request, which lives as long as the page)."""
    cache = request.__dict__.setdefault("_recall_item_stats", {"quizzes": set(), "stats": {}})
    missing = set(quiz_ids) - cache["quizzes"]
    if missing:
        cache["stats"].update(item_analyses(missing))
        cache["quizzes"] |= missing
    return cache["stats"]


class FlagFilter(admin.SimpleListFilter):
    """Questions by the flags of item analysis. Flags are computed from the answers, not stored,
    so the filter analyses the quizzes of the questions the other filters left (the four queries
    of ``item_analyses`` plus one) and keeps the flagged ones by id. The work grows with the
    answers to those quizzes: instant for the shipped content; at 10,000 questions, narrow by quiz
    first (see README, "For authors")."""

    title = "flag"
    parameter_name = "flag"
    ANY = "any"

    def lookups(self, request, model_admin):
        return [(self.ANY, "Any flag"), *((flag, flag[0].upper() + flag[1:]) for flag in analysis.FLAGS)]

    def queryset(self, request, queryset):
        wanted = self.value()
        if wanted != self.ANY and wanted not in analysis.FLAGS:
            return None  # an unknown value filters nothing (and never fails)
        quiz_ids = queryset.order_by().values_list("quiz_id", flat=True).distinct()
        flagged = [
            pk
            for pk, stats in stats_for(request, quiz_ids).items()
            if (stats.flags if wanted == self.ANY else wanted in stats.flags)
        ]
        return queryset.filter(pk__in=flagged)


@admin.register(Question)
class QuestionAdmin(MarkdownPreviewAdmin, admin.ModelAdmin):
    form = QuestionForm
    markdown_fields = ("prompt", "explanation")
    markdown_frames = {"prompt": "prompt", "explanation": "explanation"}
    markdown_checks = ("prompt", "explanation")  # the live item-writing checks show beside these

    class Media:
        css = {"all": ["css/admin-analysis.css"]}  # the list's columns, the statistics' chart

    # What an author scans for first (how the question works) next to its words; where it sits
    # after (at 1280 px with the admin's sidebars, the last columns scroll).
    list_display = [
        "prompt_start",
        "facility",
        "discrimination",
        "flags",
        "attempts",
        "quiz_title",
        "kind",
    ]
    list_display_links = ["prompt_start"]
    list_filter = ["quiz", "kind", FlagFilter]
    search_fields = ["prompt", "explanation", "choices__text"]
    autocomplete_fields = ["related_terms", "quiz"]
    inlines = [ChoiceInline]
    readonly_fields = ["statistics", "version_history"]
    fieldsets = [
        (None, {"fields": ["quiz", "position", "kind", "prompt", "explanation", "related_terms"]}),
        ("Learning objective", {"fields": ["objective", "level"]}),
        (
            "A number question’s answer",
            {"fields": ["accepted_value", "tolerance", "tolerance_kind", "unit"]},
        ),
        ("Versions", {"fields": ["version_history", "same_version"]}),
        ("How it works with learners (first finished attempts, this version)", {"fields": ["statistics"]}),
    ]

    @admin.display(description="Versions")
    def version_history(self, obj: Question):
        versions = (
            list(obj.versions.annotate(answered=Count("answers")).order_by("-number")) if obj.pk else []
        )
        if not versions:
            return "No answers yet: edits change the question as it is. A version is kept from the first answer on."
        return format_html(
            "<p>Now version {}. Answers keep the version they answered; statistics below are for this version.</p>"
            "<ul>{}</ul>",
            obj.version,
            format_html_join(
                "",
                "<li>Version {} · {} · {} answer(s){}</li>",
                (
                    (
                        v.number,
                        f"{v.created_at:%Y-%m-%d %H:%M}",
                        v.answered,
                        f" · changed: {v.note}" if v.note else "",
                    )
                    for v in versions
                ),
            ),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz")

    def changelist_view(self, request, extra_context=None):
        """The page's questions get their statistics (``item_stats``) from one analysis of their
        quizzes, not one per row."""
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            page = list(changelist.result_list)
            stats = stats_for(request, {question.quiz_id for question in page})
            for question in page:
                question.item_stats = stats.get(question.pk)
        return response

    @staticmethod
    def _stats(obj: Question) -> analysis.ItemStats | None:
        stats = getattr(obj, "item_stats", None)
        return stats if stats is not None and stats.attempts else None

    @admin.display(description="Question")
    def prompt_start(self, obj: Question) -> str:
        return obj.prompt_start()

    @admin.display(description="Quiz · question", ordering="quiz")
    def quiz_title(self, obj: Question) -> str:
        """The quiz, the question's place in it and its version once there is more than one: one
        column, so that the list fits a 1,280 px window with the admin's sidebars open."""
        version = f" (v{obj.version})" if obj.version > 1 else ""
        return f"{obj.quiz.title} · {obj.position}{version}"

    @admin.display(description="Attempts")
    def attempts(self, obj: Question) -> int:
        stats = self._stats(obj)
        return stats.attempts if stats else 0

    @admin.display(description="Facility")
    def facility(self, obj: Question) -> str:
        stats = self._stats(obj)
        return percent(stats.facility if stats else None)

    @admin.display(description="Discrimination")
    def discrimination(self, obj: Question) -> str:
        stats = self._stats(obj)
        return decimal(stats.discrimination if stats else None)

    @admin.display(description="Flags")
    def flags(self, obj: Question) -> str:
        stats = self._stats(obj)
        return ", ".join(stats.flags) if stats and stats.flags else "-"

    def get_urls(self):
        return [
            path("checks/", self.admin_site.admin_view(self.checks_view), name="quizzes_question_checks"),
            *super().get_urls(),
        ]

    def checks_view(self, request):
        """The item-writing checks of the question being typed, each beside its field (htmx
        out-of-band swaps into the form's ``live-checks-<field>`` places). Nothing is saved."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        issues = draft_issues(request.POST)
        places = {field: [i for i in issues if i.field == field] for field in LIVE_FIELDS}
        places[""] = [i for i in issues if i.field not in LIVE_FIELDS]
        return TemplateResponse(request, "admin/quizzes/question/live_checks.html", {"places": places})

    def save_related(self, request, form, formsets, change):
        """After the choices are saved: warnings about the question's wording (never a block)."""
        super().save_related(request, form, formsets, change)
        question = form.instance
        made = question.record_edit(same_version=form.cleaned_data.get("same_version", False))
        if made is not None:
            messages.info(
                request,
                f"This edit changes what the question asks, so it is now version {made.number} "
                f"({made.note}). Earlier answers keep version {made.number - 1}.",
            )
        for issue in question.issues():
            messages.warning(request, f"Question {question.position}: {issue}")

    @admin.display(description="Item analysis")
    def statistics(self, obj: Question):
        if not obj.pk:
            return "Statistics appear once learners have finished the quiz."
        stats = item_analysis(obj.quiz).get(obj.pk)
        if stats is None or not stats.attempts:
            return "No finished attempts yet."
        return format_html(
            "<p>{} attempts · facility {} · discrimination {}{}</p>{}",
            stats.attempts,
            percent(stats.facility),
            decimal(stats.discrimination),
            format_html(" · <strong>flags: {}</strong>", ", ".join(stats.flags)) if stats.flags else "",
            render_to_string("admin/quizzes/_pick_chart.html", {"row": analysis_row(obj, stats)}),
        )


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["text", "key", "position", "question_count"]
    list_editable = ["position"]
    search_fields = ["text", "key"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("questions"))

    @admin.display(description="Questions", ordering="n")
    def question_count(self, obj: Objective) -> str:
        return f"{obj.n}" if obj.n >= 3 else f"{obj.n} (needs at least 3)"


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "version", "choice", "choices", "typed", "credit", "is_correct", "answered_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question__quiz", "choice")


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


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["answered_at", "source", "choice", "correct", "rating", "due_after"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    """A learner's memory of each question (FSRS): visible to staff, never to other learners."""

    list_display = ["question", "user", "visitor", "due_at", "stability", "reps", "lapses", "last_correct"]
    list_filter = ["last_correct", "state"]
    search_fields = ["user__username"]
    readonly_fields = [
        "question",
        "user",
        "visitor",
        "state",
        "stability",
        "difficulty",
        "due_at",
        "last_review_at",
        "reps",
        "lapses",
        "last_correct",
    ]
    inlines = [ReviewInline]
    list_select_related = ["question__quiz", "user"]

    def has_add_permission(self, request):
        return False
