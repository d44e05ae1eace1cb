from django import forms
from django.contrib import admin
from django.utils.html import format_html

from glossary.models import SECTIONS, Alias, Category, Source, Term
from learn.core.widgets import MarkdownPreviewAdmin


class AliasInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen: set[str] = set()
        term_name = (self.instance.name or "").strip().lower()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            name = (form.cleaned_data.get("name") or "").strip()
            lowered = name.lower()
            if not name:
                continue
            if lowered in seen or lowered == term_name:
                form.add_error("name", f"“{name}” is listed twice for this term.")
            seen.add(lowered)
            clash_term = Term.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
            clash_alias = (
                Alias.objects.filter(name__iexact=name)
                .exclude(term_id=self.instance.pk)
                .select_related("term")
                .first()
            )
            if clash_term:
                form.add_error("name", f"“{name}” is already the name of the term “{clash_term}”.")
            elif clash_alias:
                form.add_error("name", f"“{name}” is already another name of the term “{clash_alias.term}”.")


class AliasInline(admin.TabularInline):
    model = Alias
    formset = AliasInlineFormSet
    extra = 1
    prepopulated_fields = {"slug": ("name",)}


class SourceInline(admin.TabularInline):
    model = Source
    extra = 1


class TermAdminForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Alias.objects.filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(term_id=self.instance.pk)
        alias = clash.select_related("term").first()
        if alias:
            raise forms.ValidationError(f"“{name}” is already another name of the term “{alias.term}”.")
        return name


@admin.register(Term)
class TermAdmin(MarkdownPreviewAdmin, admin.ModelAdmin):
    markdown_fields = tuple(field for field, _ in SECTIONS)
    form = TermAdminForm
    list_display = ["name", "short_definition", "is_published", "updated_at"]
    list_filter = ["is_published", "categories"]
    search_fields = ["name", "aliases__name", "short_definition", "definition"]
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ["categories"]
    autocomplete_fields = ["related"]
    inlines = [AliasInline, SourceInline]
    readonly_fields = ["created_at", "updated_at", "view_as_learner"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "short_definition", "categories", "is_published", "view_as_learner"]},
        ),
        ("Sections (Markdown, each optional)", {"fields": [field for field, _ in SECTIONS]}),
        ("Related", {"fields": ["related"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def view_on_site(self, obj: Term) -> str:
        return obj.as_learner_url()

    @admin.display(description="On the site")
    def view_as_learner(self, obj: Term):
        if not obj.pk:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">View as learner</a>{}',
            obj.as_learner_url(),
            "" if obj.is_published else " (a draft: only staff can open it until it is published)",
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ["name"]


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ["name", "term"]
    search_fields = ["name", "term__name"]
    autocomplete_fields = ["term"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("term")
