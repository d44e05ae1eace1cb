"""System checks of the site's own settings, shown by ``manage.py check --deploy``."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

NO_TRUSTED_PROXY = Warning(
    "HTTPS is on (DJANGO_HTTPS=true), so the site runs behind a TLS proxy, but no proxy is trusted "
    "(DJANGO_TRUSTED_PROXIES=0).",
    hint=(
        "Every client then has the proxy's address: five failed log-ins from anyone lock out "
        "everyone, and the whole site shares one client's limits. Set DJANGO_TRUSTED_PROXIES to "
        "the number of proxies in front that append to X-Forwarded-For (1 for one nginx)."
    ),
    id="recall.W001",
)


@register(Tags.security, deploy=True)
def trusted_proxies(app_configs, **kwargs):
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.TRUSTED_PROXIES:
        return [NO_TRUSTED_PROXY]
    return []
