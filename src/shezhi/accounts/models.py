"""Residents' own sign-ins: a mobile number per account, and the one-time codes sent to it.

- ``PhoneAccount`` ties a Django user to the mobile number they signed up with. The
  number is personal data: stored encrypted (``EncryptedTextField``), found through its
  blind index (unique: one account per number), shown by its last four digits only.
- ``OneTimeCode`` is one six-digit code sent to a number. Only a keyed hash of it is
  stored (HMAC under the blind-index key, bound to the number), never the code itself;
  it expires, counts its wrong attempts, is used once. The rows are also the rate
  limit's memory (codes per number and per client address in a window), so the limits
  hold across processes and app servers on SQLite and PostgreSQL alike, without a cache.
  The client address is kept as a keyed hash too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shezhi.core.personal_data import EncryptedTextField


class PhoneAccount(models.Model):
    """A resident's sign-in by mobile number (self sign-up)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="phone_account",
        verbose_name=_("user"),
    )
    phone = EncryptedTextField(_("mobile number"))
    phone_index = models.CharField(max_length=64, unique=True, editable=False)
    phone_last4 = models.CharField(max_length=4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mobile sign-in")
        verbose_name_plural = _("mobile sign-ins")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · ****{self.phone_last4}"


class OneTimeCode(models.Model):
    """One code sent to one number; only its keyed hash is kept."""

    phone_index = models.CharField(max_length=64, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    client_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["phone_index", "created_at"], name="accounts_code_phone_idx"),
            models.Index(fields=["client_hash", "created_at"], name="accounts_code_client_idx"),
        ]

    def __str__(self) -> str:
        return f"code {self.pk} · {self.created_at:%Y-%m-%d %H:%M}"
