"""Who may do what with volunteer activities: the one place the volunteering app reads roles.

Who reads: everybody — published activities (and cancelled ones, marked so) are
public, and anybody signed in may sign up for one anywhere (``volunteer``); a
volunteer reads their own sign-ups, hours and points.

Who writes (publishes, edits, cancels an activity, reads its roster, checks a
volunteer in or out by hand): the staff who manage the post's area — community
staff, street staff and district admins (``MANAGER_ROLES``) — and the post's
responsible person, whatever their role; a superuser anywhere. Rosters name
volunteers, never their phones. The read-only roles (department staff, alliance
viewers), residents and grid workers manage nothing here unless they are a post's
responsible person; an activity they do not manage answers 404 on the staff pages.

Actions (``obj``): ``view`` (an activity: anybody), ``volunteer`` (an activity:
anybody signed in), ``manage`` (a service post or an activity; None: any post).
"""

from __future__ import annotations

from django.db.models import Q

from shezhi.core.roles import MANAGER_ROLES
from shezhi.core.scope import held_areas, holds_role_over, scope_over, sees_everything
from shezhi.places.models import ServicePost

# Who manages the activities of the posts in the areas they hold: MANAGER_ROLES (the
# staff of a community, a street or the district) — and each post's responsible person.
ACTIONS = ("view", "volunteer", "manage")


def _post_of(obj):
    return obj if isinstance(obj, ServicePost) else obj.post


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (one of ``ACTIONS``) with ``obj``?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on volunteer activities")
    if action == "view":
        return True
    if user is None or not user.is_authenticated:
        return False
    if action == "volunteer":
        return True
    if obj is None:
        if sees_everything(user) or held_areas(user, MANAGER_ROLES):
            return True
        return ServicePost.objects.filter(responsible=user).exists()
    post = _post_of(obj)
    if post.responsible_id is not None and post.responsible_id == user.pk:
        return True
    return holds_role_over(user, post.area, MANAGER_ROLES)


def scope(
    user,
    action: str = "view",
    *,
    field: str = "area_path",
    responsible: str = "responsible",
) -> Q | None:
    """The posts or activities ``user`` may ``action``; None means no limit.

    ``view``: no limit (all of them are public). ``manage``: rows whose area path
    (``field``) lies in the subtrees where the user holds a manager's role, or whose
    post's responsible person (``responsible``: ``responsible`` on a post,
    ``post__responsible`` on an activity) is the user.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on volunteer activities")
    if action == "view":
        return None
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if action == "volunteer" or sees_everything(user):
        return None
    cond = Q(**{responsible: user})
    area_q = scope_over(user, MANAGER_ROLES, field)
    return cond if area_q is None else cond | area_q
