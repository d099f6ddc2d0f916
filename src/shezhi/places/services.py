"""Every write to the service posts (微阵地): create, update, deactivate, photos.

Keyword-only functions, one transaction each. Who may write: community staff,
street staff and district admins holding a role over the post's area (the
micro-grid its point is located to). Anybody else gets a 404 for a post outside
their scope (ids leak nothing) and a refusal (``Forbidden``) for one inside it.
Everything that can be refused is checked before anything is written; photo
files saved before a failure are deleted again. Changes are audited
(django-auditlog, registered in ``apps.py``) with the acting user.
"""

from __future__ import annotations

import contextlib
import re

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shezhi.areas.locating import InvalidCoordinates, OutsideAllDistricts, area_rows, locate
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.core import photos as photo_processing
from shezhi.core.audit_context import set_actor
from shezhi.core.errors import BadInput, Forbidden
from shezhi.households.models import Compound
from shezhi.people.models import Person

from . import hours as opening
from . import permissions
from .models import HubDuty, ServiceHub, ServicePost, ServicePostPhoto

User = get_user_model()

# Who may do what: ``permissions`` (managers change posts; whoever holds any role over
# a post is refused with a reason, anybody else gets a 404).

MAX_SERVICES = 20
MAX_SERVICE_LENGTH = 30
PHONE_RE = re.compile(r"^[0-9+][0-9 ()\-]{2,19}$")

_UNSET = object()


# ---------------------------------------------------------------------------
# Permission


def _require_manager_of(actor, post: ServicePost) -> None:
    if permissions.can(actor, "manage", post.area):
        return
    if not permissions.can(actor, "know", post.area):
        raise Http404("No such service post.")
    raise Forbidden(
        _("Only community staff, street staff and district admins of its area change a post.")
    )


# ---------------------------------------------------------------------------
# Checking input (nothing here writes)


def _locate(lng, lat, crs: str) -> tuple[float, float, Area]:
    if lng in (None, "") or lat in (None, ""):
        raise BadInput(_("Give the post's location: a point on the map."), field="location")
    try:
        (wlng, wlat), chain = locate(float(lng), float(lat), crs or "wgs84")
    except (OutsideAllDistricts, InvalidCoordinates) as exc:
        raise BadInput(str(exc), field="location") from None
    except (TypeError, ValueError):
        raise BadInput(_("The coordinates are not numbers."), field="location") from None
    area = area_rows([chain[0].id])[chain[0].id]
    return wlng, wlat, area


def _check_area(actor, area: Area) -> None:
    if not permissions.can(actor, "manage", area):
        raise BadInput(
            _("The point lies in %(area)s, outside the areas where you manage service posts.")
            % {"area": area.name},
            field="location",
        )


def _clean_name(name) -> str:
    name = (name or "").strip()
    if not name:
        raise BadInput(_("Give the post a name."), field="name")
    if len(name) > 100:
        raise BadInput(_("The name is longer than 100 characters."), field="name")
    return name


def _clean_type(value) -> str:
    if value not in ServicePost.Type.values:
        raise BadInput(
            _("Unknown type %(type)s; use one of %(choices)s.")
            % {"type": value, "choices": ", ".join(ServicePost.Type.values)},
            field="type",
        )
    return value


def clean_hours(value) -> dict:
    try:
        return opening.validate(value)
    except opening.HoursError as exc:
        raise BadInput(str(exc), field="opening_hours") from None


def clean_services(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise BadInput(_("Services are a list of short texts."), field="services")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise BadInput(_("Services are a list of short texts."), field="services")
        text = item.strip()
        if not text:
            continue
        if len(text) > MAX_SERVICE_LENGTH:
            raise BadInput(
                _("The service “%(text)s” is longer than %(n)d characters.")
                % {"text": text[:40], "n": MAX_SERVICE_LENGTH},
                field="services",
            )
        if text not in out:
            out.append(text)
    if len(out) > MAX_SERVICES:
        raise BadInput(
            _("At most %(n)d services per post.") % {"n": MAX_SERVICES}, field="services"
        )
    return out


def _clean_phone(value) -> str:
    value = (value or "").strip()
    if value and not PHONE_RE.match(value):
        raise BadInput(
            _("%(phone)s is not a phone number (digits, spaces, - and + only).")
            % {"phone": value[:30]},
            field="phone",
        )
    return value


# A mainland mobile number (after the +86 prefix, spaces and dashes are taken off).
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# The field that confirms a mobile number is the post's public service number.
CONFIRM_FIELD = "public_mobile_confirmed"


def is_mobile(phone: str) -> bool:
    """Is ``phone`` a mobile number: most likely somebody's own, not a post's line?"""
    return bool(phone) and bool(MOBILE_RE.fullmatch(pd.normalise(pd.PHONE, phone)))


def _check_public_mobile(phone: str, confirmed, previous: str = "") -> None:
    """A mobile number is published on the post's public page: usually it is a person's
    own (a worker's, a volunteer's), so staff confirm it is the post's service number.
    Landlines, 400/800 and hotline numbers need no confirmation; a mobile number the
    post already shows is not asked about again."""
    if not is_mobile(phone):
        return
    if previous and pd.normalise(pd.PHONE, previous) == pd.normalise(pd.PHONE, phone):
        return
    if confirmed is not True:
        raise BadInput(
            _(
                "%(phone)s is a mobile number and will be shown to everybody on the post's"
                " public page. Confirm that it is the post's public service number, not"
                " somebody's personal phone."
            )
            % {"phone": phone},
            field=CONFIRM_FIELD,
        )


def _clean_text(value, field: str, limit: int, label: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise BadInput(
            _("The %(label)s is longer than %(n)d characters.") % {"label": label, "n": limit},
            field=field,
        )
    return value


def _responsible(value, area: Area):
    """The responsible user (an instance, a username, or empty for none), checked."""
    if value in (None, ""):
        return None
    user = value
    if not isinstance(value, User):
        user = User.objects.filter(username=str(value).strip(), is_active=True).first()
        if user is None:
            raise BadInput(
                _("There is no user %(name)s.") % {"name": str(value)[:50]}, field="responsible"
            )
    if not permissions.can(user, "be_responsible", area):
        raise BadInput(
            _("%(name)s holds no role in %(area)s and cannot be responsible for a post there.")
            % {"name": user.get_username(), "area": area.name},
            field="responsible",
        )
    return user


def _unique_name(name: str, area: Area, exclude_pk=None) -> None:
    qs = ServicePost.objects.filter(area=area, name=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise BadInput(
            _("%(area)s already has a post named %(name)s.") % {"area": area.name, "name": name},
            field="name",
        )


def _delete_files(names) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def _save_photos(post: ServicePost, processed, saved: list[str]) -> None:
    for p in processed:
        photo = ServicePostPhoto(post=post)
        photo.image.save(p.content.name, p.content, save=False)
        saved.append(photo.image.name)
        photo.save()


def _check_photo_count(post: ServicePost | None, adding: int, removing: int = 0) -> None:
    have = post.photos.count() if post is not None and post.pk else 0
    limit = photo_processing.max_photos()
    if have - removing + adding > limit:
        raise BadInput(
            _("A post shows at most %(n)d photos; remove some first.") % {"n": limit},
            field="photos",
        )


def clean_place(*, previous_phone: str = "", public_mobile_confirmed=False, **given) -> dict:
    """What a post and a hub share (``models.PublicPlace``: address, opening hours,
    services, description, active; and the public phone), cleaned: only the keys given
    (``_UNSET`` ones left out). A new mobile phone needs ``public_mobile_confirmed``."""
    given = {k: v for k, v in given.items() if v is not _UNSET}
    out: dict = {}
    if "address" in given:
        out["address"] = _clean_text(given["address"], "address", 200, _("address"))
    if "opening_hours" in given:
        out["opening_hours"] = clean_hours(given["opening_hours"])
    if "services" in given:
        out["services"] = clean_services(given["services"])
    if "phone" in given:
        out["phone"] = _clean_phone(given["phone"])
        _check_public_mobile(out["phone"], public_mobile_confirmed, previous_phone)
    if "description" in given:
        out["description"] = _clean_text(
            given["description"],
            "description",
            2000,
            pgettext("free text about a thing", "description"),
        )
    if "active" in given:
        out["active"] = bool(given["active"])
    return out


# ---------------------------------------------------------------------------
# Writes


def create_post(
    *,
    actor,
    name: str,
    type: str,
    lng,
    lat,
    crs: str = "wgs84",
    address: str = "",
    opening_hours=None,
    services=(),
    responsible=None,
    phone: str = "",
    public_mobile_confirmed: bool = False,
    description: str = "",
    photos=(),
    active: bool = True,
) -> ServicePost:
    """Register a post, located to its micro-grid; refused with nothing written on bad input.

    A mobile ``phone`` needs ``public_mobile_confirmed=True``: staff confirm it is the
    post's public service number, since the public page shows it to everybody."""
    if not permissions.can(actor, "manage"):
        raise Forbidden(
            _("Only community staff, street staff and district admins register service posts.")
        )
    name = _clean_name(name)
    type = _clean_type(type)
    wlng, wlat, area = _locate(lng, lat, crs)
    _check_area(actor, area)
    place = clean_place(
        address=address,
        opening_hours=opening_hours,
        services=services,
        phone=phone,
        description=description,
        active=active,
        public_mobile_confirmed=public_mobile_confirmed,
    )
    post = ServicePost(
        name=name, type=type, area=area, area_path=area.path, lng=wlng, lat=wlat,
        responsible=_responsible(responsible, area), **place,
    )  # fmt: skip
    _unique_name(name, area)
    _check_photo_count(None, len(photos or ()))
    processed = photo_processing.process_photos(photos)
    saved: list[str] = []
    try:
        with transaction.atomic(), set_actor(actor):
            post.save()
            _save_photos(post, processed, saved)
    except IntegrityError:
        _delete_files(saved)
        raise BadInput(
            _("%(area)s already has a post named %(name)s.") % {"area": area.name, "name": name},
            field="name",
        ) from None
    except BaseException:
        _delete_files(saved)
        raise
    return post


def update_post(
    *,
    actor,
    post: ServicePost,
    name=_UNSET,
    type=_UNSET,
    lng=_UNSET,
    lat=_UNSET,
    crs: str = "wgs84",
    address=_UNSET,
    opening_hours=_UNSET,
    services=_UNSET,
    responsible=_UNSET,
    phone=_UNSET,
    public_mobile_confirmed: bool = False,
    description=_UNSET,
    active=_UNSET,
    photos=(),
    remove_photos=(),
) -> ServicePost:
    """Change what is given (leave the rest); a moved point is located again.

    A new mobile ``phone`` needs ``public_mobile_confirmed=True`` (see ``create_post``).

    ``photos`` are added; ``remove_photos`` are ids of the post's photos to drop.
    """
    _require_manager_of(actor, post)
    changes: dict = {}
    if name is not _UNSET:
        changes["name"] = _clean_name(name)
    if type is not _UNSET:
        changes["type"] = _clean_type(type)
    area = post.area
    if lng is not _UNSET or lat is not _UNSET:
        wlng, wlat, area = _locate(
            post.lng if lng is _UNSET else lng, post.lat if lat is _UNSET else lat, crs
        )
        _check_area(actor, area)
        changes.update(lng=wlng, lat=wlat, area=area, area_path=area.path)
    changes.update(
        clean_place(
            address=address,
            opening_hours=opening_hours,
            services=services,
            phone=phone,
            description=description,
            active=active,
            previous_phone=post.phone,
            public_mobile_confirmed=public_mobile_confirmed,
        )
    )
    if responsible is not _UNSET:
        changes["responsible"] = _responsible(responsible, area)
    elif "area" in changes and post.responsible_id:
        # The responsible person must still hold a role where the post now is.
        changes["responsible"] = _responsible(post.responsible, area)
    if "name" in changes or "area" in changes:
        _unique_name(changes.get("name", post.name), area, exclude_pk=post.pk)
    remove_ids = {int(i) for i in remove_photos or ()}
    if remove_ids:
        known = set(post.photos.filter(pk__in=remove_ids).values_list("pk", flat=True))
        if known != remove_ids:
            raise BadInput(_("That photo is not one of this post's."), field="photos")
    _check_photo_count(post, len(photos or ()), len(remove_ids))
    processed = photo_processing.process_photos(photos)
    saved: list[str] = []
    dropped: list[str] = []
    try:
        with transaction.atomic(), set_actor(actor):
            locked = ServicePost.objects.select_for_update().get(pk=post.pk)
            for key, value in changes.items():
                setattr(locked, key, value)
            if changes:
                locked.save()
            for photo in locked.photos.filter(pk__in=remove_ids):
                dropped.append(photo.image.name)
                photo.delete()
            _save_photos(locked, processed, saved)
    except IntegrityError:
        _delete_files(saved)
        raise BadInput(
            _("%(area)s already has a post named %(name)s.")
            % {"area": area.name, "name": changes.get("name", post.name)},
            field="name",
        ) from None
    except BaseException:
        _delete_files(saved)
        raise
    # The rows are gone for good: now their files may go too.
    transaction.on_commit(lambda: _delete_files(dropped))
    return locked


def deactivate_post(*, actor, post: ServicePost) -> ServicePost:
    """Take a post off the public pages (kept in the registry, can be reactivated)."""
    return update_post(actor=actor, post=post, active=False)


def reactivate_post(*, actor, post: ServicePost) -> ServicePost:
    return update_post(actor=actor, post=post, active=True)


def managed_areas_bbox(actor) -> list[float] | None:
    """[south, west, north, east] around the areas where ``actor`` manages posts."""
    tops = permissions.scope_areas(actor, "manage")
    if tops is None:
        tops = list(Area.objects.filter(depth=1).defer("boundary"))
    if not tops:
        return None
    return [
        min(a.min_lat for a in tops),
        min(a.min_lng for a in tops),
        max(a.max_lat for a in tops),
        max(a.max_lng for a in tops),
    ]


# ---------------------------------------------------------------------------
# The service hubs (社治港湾 / 港口 / 码头 / 小区服务集装箱)
#
# Who writes: the managers of posts (community, street and district staff) over the
# hub's area (a compound hub: its compound's community). A hub's tier and what it
# serves are fixed at creation: a hub for another area is a new hub.

MAX_DUTIES = 50


def _require_manager_of_hub(actor, hub: ServiceHub) -> None:
    if permissions.can(actor, "manage", hub.area):
        return
    if not permissions.knows_hub(actor, hub):
        raise Http404("No such service hub.")
    raise Forbidden(
        _("Only community staff, street staff and district admins of its area change a hub.")
    )


def _clean_tier(value) -> str:
    if value not in ServiceHub.Tier.values:
        raise BadInput(
            _("Unknown tier %(tier)s; use one of %(choices)s.")
            % {"tier": str(value)[:30], "choices": ", ".join(ServiceHub.Tier.values)},
            field="tier",
        )
    return value


def _hub_place(actor, tier: str, area, compound) -> tuple[Area, Compound | None]:
    """The area a new hub serves (and its compound), checked against the tier and the
    actor's scope. An unknown area and one outside the actor's scope read the same."""
    if tier == ServiceHub.Tier.COMPOUND:
        if compound in (None, ""):
            raise BadInput(_("A compound hub names its compound."), field="compound")
        found = compound if isinstance(compound, Compound) else None
        if found is None:
            try:
                found = Compound.objects.select_related("community").get(pk=int(compound))
            except (Compound.DoesNotExist, TypeError, ValueError, OverflowError):
                found = None
        if found is None or not permissions.can(actor, "manage", found.community):
            raise BadInput(
                _("There is no such compound among those where you manage hubs."),
                field="compound",
            )
        return found.community, found
    if compound not in (None, ""):
        raise BadInput(_("Only a compound hub names a compound."), field="compound")
    if area in (None, ""):
        raise BadInput(_("Give the area the hub serves."), field="area")
    found = area if isinstance(area, Area) else None
    if found is None:
        found = Area.objects.filter(code=str(area)[:40]).defer("boundary").first()
    if found is None or not permissions.can(actor, "manage", found):
        raise BadInput(
            _("There is no area %(code)s among those where you manage hubs.")
            % {"code": str(area)[:40]},
            field="area",
        )
    if found.level != tier:
        raise BadInput(
            _("%(area)s is a %(level)s; a %(tier)s serves a %(wanted)s.")
            % {
                "area": found.name,
                "level": Area.Level(found.level).label,
                "tier": ServiceHub.Tier(tier).label,
                "wanted": Area.Level(tier).label,
            },
            field="area",
        )
    return found, None


def _hub_point(lng, lat, crs: str, area: Area) -> tuple[float, float]:
    """The hub's point (WGS84): it must lie inside the area it serves."""
    wlng, wlat, located = _locate(lng, lat, crs)
    if not located.path.startswith(area.path):
        raise BadInput(
            _("The point lies in %(found)s, outside %(area)s, which the hub serves.")
            % {"found": located.name, "area": area.name},
            field="location",
        )
    return wlng, wlat


def _clean_days(value) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise BadInput(
            _("Give the days on duty: a list of mon, tue, wed, thu, fri, sat, sun."),
            field="duties",
        )
    days = []
    for day in value:
        if day not in opening.DAYS:
            raise BadInput(
                _("Unknown day %(day)s; use mon, tue, wed, thu, fri, sat, sun.")
                % {"day": str(day)[:10]},
                field="duties",
            )
        if day not in days:
            days.append(day)
    return [d for d in opening.DAYS if d in days]


def clean_duties(value, area: Area) -> list[tuple[Person, list[str], str]]:
    """The duty roster: ``[{"person": id, "days": ["mon", …], "duty": "值班社工"}, …]``;
    each person active, with a record inside the hub's area, named once."""
    if value in (None, ""):
        return []
    if isinstance(value, str | bytes | dict) or not isinstance(value, list | tuple):
        raise BadInput(_("The duty roster is a list of people and days."), field="duties")
    if len(value) > MAX_DUTIES:
        raise BadInput(
            _("At most %(n)d people on a hub's roster.") % {"n": MAX_DUTIES}, field="duties"
        )
    wanted: list[tuple[int, list[str], str]] = []
    for row in value:
        if not isinstance(row, dict):
            raise BadInput(_("The duty roster is a list of people and days."), field="duties")
        person = row.get("person")
        if isinstance(person, bool) or not isinstance(person, int) or not 0 < person < 2**63:
            raise BadInput(_("Each line of the roster names a person by id."), field="duties")
        duty = _clean_text(row.get("duty") or "", "duties", 30, _("duty"))
        wanted.append((person, _clean_days(row.get("days")), duty))
    ids = [w[0] for w in wanted]
    if len(set(ids)) != len(ids):
        raise BadInput(_("A person is on the roster twice."), field="duties")
    people = Person.objects.select_related("area").defer("area__boundary").in_bulk(ids)
    out = []
    for pk, days, duty in wanted:
        person = people.get(pk)
        if person is None or not person.active or not person.area.path.startswith(area.path):
            raise BadInput(
                _("Person %(id)s is not one of the active people of %(area)s.")
                % {"id": pk, "area": area.name},
                field="duties",
            )
        out.append((person, days, duty))
    return out


def _unique_hub(area: Area, compound: Compound | None, exclude_pk=None) -> None:
    qs = ServiceHub.objects.filter(compound=compound) if compound else None
    if qs is None:
        qs = ServiceHub.objects.filter(area=area, compound__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise _hub_taken(area, compound)


def _hub_taken(area: Area, compound: Compound | None) -> BadInput:
    if compound is not None:
        return BadInput(
            _("%(compound)s already has a hub.") % {"compound": compound.name}, field="compound"
        )
    return BadInput(_("%(area)s already has a hub.") % {"area": area.name}, field="area")


def _write_duties(hub: ServiceHub, duties) -> None:
    HubDuty.objects.filter(hub=hub).delete()
    HubDuty.objects.bulk_create(
        HubDuty(hub=hub, person=person, days=days, duty=duty) for person, days, duty in duties
    )


def create_hub(
    *,
    actor,
    tier: str,
    name: str,
    lng,
    lat,
    area=None,
    compound=None,
    crs: str = "wgs84",
    address: str = "",
    opening_hours=None,
    services=(),
    phone: str = "",
    public_mobile_confirmed: bool = False,
    description: str = "",
    active: bool = True,
    duties=(),
) -> ServiceHub:
    """Open a hub for an area (district, street, community: ``area``, by code or
    instance) or a compound (``compound``, by id or instance); nothing written on bad
    input. The point lies inside the area served (a compound: its community)."""
    if not permissions.can(actor, "manage"):
        raise Forbidden(
            _("Only community staff, street staff and district admins open service hubs.")
        )
    tier = _clean_tier(tier)
    name = _clean_name(name)
    area, compound = _hub_place(actor, tier, area, compound)
    wlng, wlat = _hub_point(lng, lat, crs, area)
    place = clean_place(
        address=address,
        opening_hours=opening_hours,
        services=services,
        phone=phone,
        description=description,
        active=active,
        public_mobile_confirmed=public_mobile_confirmed,
    )
    hub = ServiceHub(
        tier=tier, name=name, area=area, area_path=area.path, compound=compound, lng=wlng,
        lat=wlat, **place,
    )  # fmt: skip
    roster = clean_duties(list(duties or ()), area)
    _unique_hub(area, compound)
    try:
        with transaction.atomic(), set_actor(actor):
            hub.save()
            _write_duties(hub, roster)
    except IntegrityError:
        raise _hub_taken(area, compound) from None
    return hub


def update_hub(
    *,
    actor,
    hub: ServiceHub,
    name=_UNSET,
    lng=_UNSET,
    lat=_UNSET,
    crs: str = "wgs84",
    address=_UNSET,
    opening_hours=_UNSET,
    services=_UNSET,
    phone=_UNSET,
    public_mobile_confirmed: bool = False,
    description=_UNSET,
    active=_UNSET,
    duties=_UNSET,
) -> ServiceHub:
    """Change what is given (leave the rest); ``duties`` replaces the whole roster."""
    _require_manager_of_hub(actor, hub)
    changes: dict = {}
    if name is not _UNSET:
        changes["name"] = _clean_name(name)
    if lng is not _UNSET or lat is not _UNSET:
        changes["lng"], changes["lat"] = _hub_point(
            hub.lng if lng is _UNSET else lng, hub.lat if lat is _UNSET else lat, crs, hub.area
        )
    changes.update(
        clean_place(
            address=address,
            opening_hours=opening_hours,
            services=services,
            phone=phone,
            description=description,
            active=active,
            previous_phone=hub.phone,
            public_mobile_confirmed=public_mobile_confirmed,
        )
    )
    roster = None if duties is _UNSET else clean_duties(duties, hub.area)
    with transaction.atomic(), set_actor(actor):
        locked = ServiceHub.objects.select_for_update().get(pk=hub.pk)
        for key, value in changes.items():
            setattr(locked, key, value)
        if changes:
            locked.save()
        if roster is not None:
            _write_duties(locked, roster)
    locked.area, locked.compound = hub.area, hub.compound
    return locked


__all__ = [
    "clean_hours",
    "clean_services",
    "create_hub",
    "create_post",
    "deactivate_post",
    "reactivate_post",
    "update_hub",
    "update_post",
]
