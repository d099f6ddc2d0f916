"""The resident's page: raise a demand (the bound household's grid, or the phone's point),
see it among "my demands" with its outcome; a refusal shows on the form, nothing written;
another resident's demands never show."""

from __future__ import annotations

import pytest

from shezhi.demands import services
from shezhi.demands.models import Demand
from tests.factories import PASSWORD

from .conftest import IN_MICRO1

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_raise_and_follow(client, place, shared_cast):
    c = _as(client, shared_cast.resident)
    assert c.get("/demands/").status_code == 200
    r = c.post("/demands/", {"kind": "parking", "text": "车位太少", "lng": IN_MICRO1[0],
                             "lat": IN_MICRO1[1], "anonymous": "on"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    d = Demand.objects.get()
    assert d.anonymous and d.submitter == shared_cast.resident and d.area.level == "micro_grid"
    services.close_demand(actor=shared_cast.community, demand=d, outcome="已新增20个车位")
    page = c.get("/demands/").content.decode()
    assert "车位太少" in page and "已新增20个车位" in page
    other = _as(client, shared_cast.resident2).get("/demands/").content.decode()
    assert "车位太少" not in other


def test_no_place_is_refused_on_the_form(client, place, shared_cast):
    c = _as(client, shared_cast.resident2)  # bound to no household
    r = c.post("/demands/", {"kind": "parking", "text": "车位太少"})
    assert r.status_code == 400 and 'data-testid="demand-errors"' in r.content.decode()
    assert not Demand.objects.exists()


NEAR1 = (IN_MICRO1[0] + 0.0005, IN_MICRO1[1])


def _submit(actor, text, point=IN_MICRO1, kind="parking"):
    return services.submit_demand(
        actor=actor, kind=kind, text=text, lng=point[0], lat=point[1]
    ).demand


def test_the_grouping_queue(client, place, shared_cast):
    a = _submit(shared_cast.resident, "车位太少，晚上没地方停车")
    b = _submit(shared_cast.resident2, "停车太难了，希望多划停车位", point=NEAR1)
    c = _submit(shared_cast.resident, "希望开设托育点照看两三岁的孩子", kind="childcare")
    assert a.group_id == b.group_id != c.group_id
    for outsider in (shared_cast.resident, shared_cast.mg_worker, shared_cast.community2):
        r = _as(client, outsider).get("/demands/queue/")
        assert r.status_code == 404 or "车位太少" not in r.content.decode(), outsider
    staff = _as(client, shared_cast.community)
    page = staff.get("/demands/queue/").content.decode()
    assert "车位太少" in page and "托育" in page and "2 户提出" in page
    # Confirm; split b out; merge b's new group back into a's.
    assert staff.post(f"/demands/queue/groups/{a.group_id}/confirm/").status_code == 302
    a.refresh_from_db()
    assert a.group.confirmed_by == shared_cast.community
    assert staff.post(f"/demands/queue/demands/{b.pk}/split/").status_code == 302
    b.refresh_from_db()
    assert b.group_id != a.group_id
    r = staff.post(f"/demands/queue/groups/{b.group_id}/merge/", {"into": "x"})
    assert r.status_code == 302
    assert Demand.objects.get(pk=b.pk).group_id == b.group_id  # nothing moved
    r = staff.post(f"/demands/queue/groups/{b.group_id}/merge/", {"into": a.group_id})
    assert r.status_code == 302 and Demand.objects.get(pk=b.pk).group_id == a.group_id
    # Merging a group into itself is refused, shown as a message.
    r = staff.post(f"/demands/queue/groups/{a.group_id}/merge/", {"into": a.group_id},
                   follow=True)  # fmt: skip
    assert "分组不能与自身合并" in r.content.decode()
    # Outside the caller's scope: 404, nothing done.
    other = _as(client, shared_cast.community2)
    assert other.post(f"/demands/queue/groups/{c.group_id}/confirm/").status_code == 404
    assert other.post(f"/demands/queue/demands/{c.pk}/split/").status_code == 404
    c.refresh_from_db()
    assert c.group.confirmed_by is None


def test_photos_on_the_phone_page(client, place, shared_cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.events.conftest import jpeg

    c = _as(client, shared_cast.resident)
    two = [jpeg(), jpeg(name="b.jpg")]
    r = c.post("/demands/", {"kind": "greenery", "text": "希望补种绿化", "lng": IN_MICRO1[0],
                             "lat": IN_MICRO1[1], "photos": two})  # fmt: skip
    assert r.status_code == 302
    d = Demand.objects.get()
    photos = list(d.photos.all())
    assert len(photos) == 2
    url = f"/demands/{d.pk}/photos/{photos[0].pk}/"
    assert url in c.get("/demands/").content.decode()
    r = c.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert _as(client, shared_cast.community).get(url).status_code == 200
    assert _as(client, shared_cast.resident2).get(url).status_code == 404
    assert _as(client, shared_cast.community2).get(url).status_code == 404
    # A bad photo: shown on the form, nothing written.
    bad = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")
    c = _as(client, shared_cast.resident)
    r = c.post("/demands/", {"kind": "greenery", "text": "希望补种绿化", "lng": IN_MICRO1[0],
                             "lat": IN_MICRO1[1], "photos": [bad]})  # fmt: skip
    assert r.status_code == 400 and Demand.objects.count() == 1
