from django.contrib import admin
from django.utils.html import format_html

from learn.core.widgets import MarkdownPreviewAdmin
from learn.models import Article, ArticleRead, PathStep, Report, Source, Topic


class SourceInline(admin.TabularInline):
    model = Source
    extra = 1


@admin.register(Article)
class ArticleAdmin(MarkdownPreviewAdmin, admin.ModelAdmin):
    markdown_fields = ("body",)
    markdown_frames = {"body": "article"}
    list_display = ["title", "topic", "position", "level", "is_published", "updated_at"]
    list_editable = ["position"]
    list_filter = ["topic", "level", "is_published"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["related_terms", "quiz"]
    inlines = [SourceInline]
    readonly_fields = ["created_at", "updated_at", "view_on_site_link"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "summary", "topic", "level", "is_published", "view_on_site_link"]},
        ),
        ("Body", {"fields": ["body", "key_takeaways"]}),
        ("Links", {"fields": ["related_terms", "quiz"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic")

    def view_on_site(self, obj: Article) -> str:
        return obj.as_learner_url()

    @admin.display(description="On the site")
    def view_on_site_link(self, obj: Article):
        if not obj.pk:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">View as learner</a>{}',
            obj.as_learner_url(),
            "" if obj.is_published else " (a draft: only staff can open it until it is published)",
        )


class PathStepInline(admin.TabularInline):
    """The topic's learning path: each row an article or a quiz, in the order of ``position``."""

    model = PathStep
    extra = 1
    fields = ["position", "article", "quiz"]
    autocomplete_fields = ["article", "quiz"]
    verbose_name = "step of the learning path"
    verbose_name_plural = "learning path (home, article ends, quiz results and progress offer the next step)"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ["name"]
    inlines = [PathStepInline]


@admin.register(ArticleRead)
class ArticleReadAdmin(admin.ModelAdmin):
    list_display = ["article", "user", "visitor", "read_at"]
    list_filter = ["article"]
    search_fields = ["user__username"]
    readonly_fields = ["article", "user", "visitor", "read_at"]
    list_select_related = ["article", "user"]

    def has_add_permission(self, request):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "status", "kind", "about", "text_start"]
    list_display_links = ["created_at"]
    list_editable = ["status"]
    list_filter = ["status", "created_at"]
    search_fields = ["text", "note"]
    readonly_fields = ["about", "text", "user", "visitor", "created_at"]
    fields = ["about", "text", "status", "note", "user", "visitor", "created_at"]
    list_select_related = ["term", "article", "question__quiz", "user"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Kind")
    def kind(self, obj: Report) -> str:
        return "term" if obj.term_id else "article" if obj.article_id else "question"

    @admin.display(description="About")
    def about(self, obj: Report):
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.target_url, obj.target)

    @admin.display(description="Report")
    def text_start(self, obj: Report) -> str:
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"
