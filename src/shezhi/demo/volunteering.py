"""Demo volunteer activities at the demo's service posts.

``build_demo_activities()`` is deterministic (a fixed seed and the posts in id
order) and idempotent (it does nothing when the posts already hold activities).
Past activities carry attendance checked in and out at past times, so their
hours are awarded as points through the ledger (``award_piece``) dated when they
happened; upcoming ones have places, some already taken.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.people.models import RoleAssignment
from shezhi.places.models import ServicePost
from shezhi.volunteering import services
from shezhi.volunteering.models import Signup, VolunteerActivity

SEED = 20260306
N_PAST = 16
N_UPCOMING = 20
TITLES = [
    ("社区环境清洁", "清理楼道杂物和小区公共区域垃圾，工具由服务点提供。"),
    ("老年人助餐送餐", "为行动不便的独居老人送午餐，并陪老人聊聊天。"),
    ("儿童课后陪伴", "陪伴双职工家庭的孩子写作业、读绘本。"),
    ("反诈宣传进小区", "在小区门口发放反诈宣传资料，讲解常见骗局。"),
    ("垃圾分类引导", "在投放点引导居民正确分类投放。"),
    ("义诊服务协助", "协助社区医生测量血压、登记信息、维持秩序。"),
    ("文明交通劝导", "在路口劝导电动车佩戴头盔、不闯红灯。"),
    ("防汛物资清点", "清点、整理服务点的防汛沙袋和应急物资。"),
    ("智能手机教学", "教老年人使用手机挂号、视频通话和扫码。"),
    ("邻里议事会记录", "为邻里议事会做会议记录和现场服务。"),
]
# Local start hours and lengths (hours) of the activities.
SLOTS_OF_DAY = [(9, 2.5), (14, 3.0), (19, 2.0)]


def _volunteers() -> list:
    """Residents to sign up: the demo's "resident" first, then others in a fixed order."""
    User = get_user_model()
    ids = list(
        RoleAssignment.objects.filter(role="resident")
        .order_by("user__username")
        .values_list("user_id", flat=True)
        .distinct()[:400]
    )
    users = list(User.objects.filter(pk__in=ids, is_active=True).order_by("username"))
    users.sort(key=lambda u: (u.username != "resident", u.username))
    return users[:60]


def _posts() -> list[ServicePost]:
    posts = list(ServicePost.objects.filter(active=True).select_related("area").order_by("pk"))
    resident = get_user_model().objects.filter(username="resident").first()
    home = ""
    if resident is not None:
        held = RoleAssignment.objects.filter(user=resident, role="resident").select_related("area")
        home = next((ra.area.path for ra in held), "")
    # Posts closest in the tree to the demo resident's home first, then every 9th post.
    community = home[: len(home) - 2 * Area.steplen]
    near = [p for p in posts if community and p.area_path.startswith(community)]
    rest = [p for i, p in enumerate(posts) if i % 9 == 0 and p not in near]
    return (near[:8] + rest)[: N_PAST + N_UPCOMING]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build_demo_activities(*, seed: int = SEED, now: dt.datetime | None = None) -> int:
    """Make the demo's activities; returns how many (0 with no posts or when already made)."""
    posts = _posts()
    if not posts or VolunteerActivity.objects.filter(post__in=posts).exists():
        return 0
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    today = timezone.localtime(now).date()
    people = _volunteers()
    resident = people[0] if people and people[0].username == "resident" else None
    made = 0
    with transaction.atomic():
        for i in range(N_PAST + N_UPCOMING):
            post = posts[i % len(posts)]
            title, description = TITLES[i % len(TITLES)]
            hour, length = SLOTS_OF_DAY[i % len(SLOTS_OF_DAY)]
            past = i < N_PAST
            day = (
                today - dt.timedelta(days=3 + 4 * i)
                if past
                else today + dt.timedelta(days=1 + (i - N_PAST) % 21)
            )
            starts = _at(day, hour)
            ends = starts + dt.timedelta(hours=length)
            slots = rng.choice([6, 8, 10, 12, 15, 20])
            activity = VolunteerActivity.objects.create(
                post=post,
                title=title,
                description=description,
                starts_at=starts,
                ends_at=ends,
                slots=slots,
                area_id=post.area_id,
                area_path=post.area_path,
                created_by=post.responsible,
            )
            made += 1
            pool = [p for p in people if p is not resident]
            count = min(len(pool), rng.randint(2, max(2, slots - 2)))
            chosen = rng.sample(pool, count) if pool else []
            # The demo resident: in every fourth past activity and two upcoming ones.
            if resident is not None and (
                (past and i % 4 == 0) or (not past and i in (N_PAST, N_PAST + 3))
            ):
                chosen = [resident, *chosen[: slots - 1]]
            for user in chosen[:slots]:
                signed_at = starts - dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 9))
                if not past:
                    signed_at = min(signed_at, now)
                signup = Signup.objects.create(activity=activity, user=user, signed_up_at=signed_at)
                VolunteerActivity.objects.filter(pk=activity.pk).update(
                    signed_up=activity.signed_up + 1
                )
                activity.signed_up += 1
                if not past:
                    continue
                if user is not resident and rng.random() < 0.12:
                    continue  # did not come
                arrive = starts + dt.timedelta(minutes=rng.randint(-20, 15))
                services._do_check_in(signup, at=arrive, by=user)
                if rng.random() < 0.75:
                    leave = ends - dt.timedelta(minutes=rng.randint(0, 30))
                    method, by = Signup.CheckOut.SCAN, user
                else:
                    leave, method, by = ends, Signup.CheckOut.SWEEP, None
                signup.activity = activity
                services._do_check_out(signup, at=leave, by=by, method=method)
    return made
