"""Choices more than one app stores, defined once.

``Sex``: a person's sex as an ID number states it (GB 11643: the 17th character, odd for
a man). Stored by the workforce (``people.Person.gender``) and the household base
(``households.Resident.sex``) with the same values, so one definition serves both.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


# How the spreadsheets street offices keep write it.
SEX_ZH = {Sex.FEMALE: "女", Sex.MALE: "男"}
