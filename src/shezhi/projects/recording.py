"""Recording a payment from a page or a multipart call: the service's own idempotency,
with the refusal of a reused reference naming the field that differs.

``services.record_payment`` is idempotent on (channel, reference): the same reference
again returns the first payment. A reference already recorded with another amount (or
for another project) is refused there with no field; here it names ``amount`` (the same
project's reference, another amount: the form's amount is what is wrong) or
``reference`` (another project's), so the page shows it beside the right box.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shezhi.core.errors import KeyReused

from . import services
from .models import Payment


def record_payment(*, project, channel, reference="", amount=None, **kwargs) -> services.Recorded:
    reference = (reference or "").strip() if isinstance(reference, str) else reference
    if reference and isinstance(amount, int) and channel in Payment.Channel.values:
        first = (
            Payment.objects.filter(channel=channel, reference=reference)
            .only("project_id", "amount")
            .first()
        )
        if first is not None and first.project_id != project.pk:
            raise KeyReused(
                _("This reference was recorded for another project's payment."),
                field="reference",
            )
        if first is not None and first.amount != amount:
            raise KeyReused(
                _("This reference was recorded with %(amount)s: check the amount.")
                % {"amount": services.yuan(first.amount)},
                field="amount",
            )
    return services.record_payment(
        project=project, channel=channel, reference=reference, amount=amount, **kwargs
    )
