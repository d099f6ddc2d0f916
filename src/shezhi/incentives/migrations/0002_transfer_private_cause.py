"""Transfer.private_cause, and the points of anonymous reports made before it made private.

Every award, deduction or reversal that cites an anonymous event and belongs to
its reporter is rewritten as ``services.award_piece(private=True)`` writes it now:
hashed cause id and key, no reference, no memo, the community for the area and the
day for the time. The amounts and the entries do not change (the ledger's sums
stay what they were).
"""


from django.db import migrations, models
from django.utils import timezone

STEPLEN = 4  # areas.Area.steplen (treebeard)
PRIVATE_AREA_DEPTH = 3  # incentives.services.PRIVATE_AREA_DEPTH


def _day_start(at):
    local = timezone.localtime(at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def make_anonymous_reports_private(apps, schema_editor):
    from shezhi.incentives import causes

    Event = apps.get_model("events", "Event")
    Transfer = apps.get_model("incentives", "Transfer")
    Area = apps.get_model("areas", "Area")
    reporters = dict(
        Event.objects.filter(anonymous=True, reporter__isnull=False).values_list(
            "pk", "reporter_id"
        )
    )
    if not reporters:
        return
    communities: dict[str, object] = {}

    def community(area_path: str):
        if len(area_path) <= PRIVATE_AREA_DEPTH * STEPLEN:
            return None
        path = area_path[: PRIVATE_AREA_DEPTH * STEPLEN]
        if path not in communities:
            communities[path] = Area.objects.only("pk", "path").get(path=path)
        return communities[path]

    changed: dict[int, object] = {}
    for t in Transfer.objects.filter(cause_type="event", private_cause=False).iterator():
        subject = t.cause_id.split(":", 1)[0]
        if not subject.isdigit() or reporters.get(int(subject)) != t.user_id:
            continue
        values = {
            "cause_id": causes.stored_id("event", t.cause_id),
            "cause_ref": "",
            "cause_key": causes.key(t.rule, "event", t.cause_id),
            "private_cause": True,
            "at": _day_start(t.at),
        }
        coarse = community(t.area_path)
        if coarse is not None:
            values.update(area_id=coarse.pk, area_path=coarse.path)
        Transfer.objects.filter(pk=t.pk).update(**values)
        changed[t.pk] = values
    for r in Transfer.objects.filter(reverses_id__in=list(changed)).iterator():
        original = changed[r.reverses_id]
        Transfer.objects.filter(pk=r.pk).update(
            cause_ref="",
            private_cause=True,
            memo="" if r.created_by_id is None else r.memo,
            at=max(_day_start(r.at), original["at"]),
            area_id=original.get("area_id", r.area_id),
            area_path=original.get("area_path", r.area_path),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0001_initial"),
        ("events", "0003_submission_path"),
        ("areas", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="transfer",
            name="private_cause",
            field=models.BooleanField(
                default=False, verbose_name="cause shown to the person only"
            ),
        ),
        migrations.RunPython(make_anonymous_reports_private, migrations.RunPython.noop),
    ]
