"""The residents' and initiators' phone pages: the list near home, a project's page with
its public accounts, proposing, backing, pledging, rating, and the initiator's
milestones, expenses, payments and closing note. Inside scope they work; outside it is
a 404; bad input is a 400 naming the field, with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.projects import services
from shezhi.projects.forms_resident import fen_of
from shezhi.projects.models import (
    Backing,
    Expense,
    Milestone,
    Payment,
    Pledge,
    Project,
    ProjectPhoto,
    Rating,
)
from tests.factories import ProjectFactory

from .conftest import photo

pytestmark = pytest.mark.django_db
Stage = Project.Stage


def as_user(client, user):
    client.force_login(user)
    return client


def elsewhere(world):
    """A project of another community (community2): outside a micro1 resident's scope."""
    return ProjectFactory(community=world.territory["community2"])


def proposal(world, **change):
    data = {
        "title": "健身角翻新",
        "area": world.territory["micro1"].code,
        "problem": "器材坏了",
        "plan": "换新器材",
        "line0_kind": "materials",
        "line0_description": "器材",
        "line0_amount": "1,200.50",
        "line1_kind": "labour",
        "line1_description": "安装",
        "line1_amount": "300",
        "deadline": str(timezone.localdate() + timedelta(days=20)),
    }
    data.update(change)
    return data


# ------------------------------------------------------------------ money parsing


@pytest.mark.parametrize(
    ("text", "fen"), [("12", 1200), ("12.5", 1250), ("0.01", 1), ("¥1,234.56", 123456)]
)
def test_yuan_become_fen_exactly(text, fen):
    assert fen_of(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "0", "-3", "1.001", "NaN", "1e20"])
def test_bad_amounts_are_refused(text):
    from django import forms

    with pytest.raises(forms.ValidationError):
        fen_of(text)


# ------------------------------------------------------------------ list and page


def test_the_list_shows_home_first_and_by_stage(client, world):
    near = world.propose()
    community_wide = services.propose(
        actor=world.initiator,
        area=world.community,
        title="社区议事亭",
        problem="p",
        plan="q",
        budget=[{"kind": "materials", "description": "亭子", "amount": 50_000}],
        deadline=timezone.now() + timedelta(days=9),
    )
    far = elsewhere(world)
    page = as_user(client, world.initiator).get("/projects/")
    assert page.status_code == 200
    assert [p.pk for p in page.context["nearby"]] == [near.pk]
    assert [p.pk for p in page.context["rest"]] == [community_wide.pk]
    assert far.title not in page.content.decode()
    assert 'data-testid="nav-projects"' in page.content.decode()  # the site menu's entry
    funding = client.get("/projects/?stage=funding")
    assert funding.context["nearby"] == [] and funding.context["rest"] == []


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    project = world.propose()
    for url in ("/projects/", f"/projects/{project.pk}/", "/projects/new/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_a_project_outside_scope_is_a_404_everywhere(client, world):
    far = elsewhere(world)
    c = as_user(client, world.initiator)
    for url in ("", "manage/"):
        assert c.get(f"/projects/{far.pk}/{url}").status_code == 404
    for url, body in (("back/", {}), ("pledge/", {"amount": "10"}), ("rate/", {"stars": "5"})):
        assert c.post(f"/projects/{far.pk}/{url}", body).status_code == 404
    assert not Backing.objects.exists() and not Pledge.objects.exists()


def test_the_public_accounts_mask_payers_and_reconcile(client, world):
    project = world.funding(target=100_000)
    world.pay(project, 12_345)
    services.record_payment(
        actor=world.staff, project=project, payer_name="李四", amount=1_000, channel="bank",
        reference="LI4", named=True,
    )  # fmt: skip
    resp = as_user(client, world.neighbours[0]).get(f"/projects/{project.pk}/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "张*" in html and "张三" not in html and "李四" in html
    assert "¥123.45" in html and "¥10.00" in html
    assert resp.context["accounts"].reconciles
    assert 'data-testid="reconciles"' in html


# ------------------------------------------------------------------ propose


def test_a_resident_proposes_with_budget_lines_and_a_photo(client, world):
    data = proposal(world, photos=photo("place.jpg"))
    resp = as_user(client, world.initiator).post("/projects/new/", data)
    project = Project.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/projects/{project.pk}/"
    assert project.target == 150_050
    assert sorted(project.budget_lines.values_list("amount", flat=True)) == [30_000, 120_050]
    assert ProjectPhoto.objects.filter(project=project).count() == 1
    assert (
        client.get(f"/projects/{project.pk}/photos/{project.photos.get().pk}/").status_code == 200
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"line1_amount": "3.001"}, "line1_amount"),
        ({"line1_amount": "abc"}, "line1_amount"),
        ({"line1_description": ""}, "line1_description"),
        (dict.fromkeys(("line0_description", "line0_amount", "line1_description",
                        "line1_amount"), ""), "line0_description"),
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"area": "999999"}, "area"),
    ],
)  # fmt: skip
def test_a_bad_proposal_names_the_field_and_writes_nothing(client, world, change, field):
    resp = as_user(client, world.initiator).post("/projects/new/", proposal(world, **change))
    assert resp.status_code == 400
    assert resp.context["form"].errors.get(field), resp.context["form"].errors
    assert not Project.objects.exists() and not ProjectPhoto.objects.exists()


def test_a_bad_photo_refuses_the_whole_proposal(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    resp = as_user(client, world.initiator).post("/projects/new/", proposal(world, photos=bad))
    assert resp.status_code == 400 and resp.context["form"].errors.get("photos")
    assert not Project.objects.exists()


def test_staff_without_a_home_have_no_proposal_form(client, world):
    assert as_user(client, world.staff).get("/projects/new/").status_code == 404


# ------------------------------------------------------------------ back, pledge, rate


def test_backing_once_per_resident(client, world):
    project = world.propose()
    c = as_user(client, world.neighbours[0])
    assert c.post(f"/projects/{project.pk}/back/").status_code == 302
    assert c.post(f"/projects/{project.pk}/back/").status_code == 302
    assert Backing.objects.filter(project=project).count() == 1
    page = c.get(f"/projects/{project.pk}/")
    assert 'data-testid="backed"' in page.content.decode()


def test_a_pledge_in_yuan_is_kept_in_fen(client, world):
    project = world.funding()
    c = as_user(client, world.neighbours[1])
    resp = c.post(f"/projects/{project.pk}/pledge/", {"amount": "88.80", "named": "on"})
    assert resp.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.amount, pledge.named, pledge.resident) == (8_880, True, world.neighbours[1])


@pytest.mark.parametrize("amount", ["", "0", "-1", "1.234", "一百"])
def test_a_bad_pledge_names_the_amount_and_writes_nothing(client, world, amount):
    project = world.funding()
    resp = as_user(client, world.neighbours[1]).post(
        f"/projects/{project.pk}/pledge/", {"amount": amount}
    )
    assert resp.status_code == 400
    assert resp.context["pledge_form"].errors["amount"]
    assert not Pledge.objects.exists()


def test_a_pledge_before_funding_is_refused(client, world):
    project = world.propose()
    resp = as_user(client, world.neighbours[1]).post(
        f"/projects/{project.pk}/pledge/", {"amount": "10"}
    )
    assert resp.status_code == 409 and not Pledge.objects.exists()


def _completed(world):
    project = world.funding(target=10_000)
    world.pay(project, 6_667)
    project.refresh_from_db()
    assert project.stage == Stage.DELIVERY
    return services.complete(actor=world.staff, project=project, closing_note="灯亮了")


def test_participants_rate_a_completed_project_once(client, world):
    project = _completed(world)
    c = as_user(client, world.neighbours[0])  # backed it
    assert c.post(f"/projects/{project.pk}/rate/", {"stars": "4"}).status_code == 302
    assert c.post(f"/projects/{project.pk}/rate/", {"stars": "5"}).status_code == 409
    assert list(Rating.objects.values_list("stars", flat=True)) == [4]
    page = c.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="rated"' in page and "灯亮了" in page


def test_a_bad_rating_names_the_stars(client, world):
    project = _completed(world)
    resp = as_user(client, world.neighbours[0]).post(
        f"/projects/{project.pk}/rate/", {"stars": "9"}
    )
    assert resp.status_code == 400 and resp.context["rating_form"].errors["stars"]
    assert not Rating.objects.exists()


def test_non_participants_may_not_rate(client, world):
    project = _completed(world)
    resp = as_user(client, world.neighbours[2]).post(
        f"/projects/{project.pk}/rate/", {"stars": "5"}
    )
    assert resp.status_code == 403 and not Rating.objects.exists()


# ------------------------------------------------------------------ the initiator's page


def test_only_the_initiator_or_staff_manage(client, world):
    project = world.funding()
    assert (
        as_user(client, world.neighbours[0]).get(f"/projects/{project.pk}/manage/").status_code
        == 403
    )
    assert (
        as_user(client, world.initiator).get(f"/projects/{project.pk}/manage/").status_code == 200
    )
    assert as_user(client, world.staff).get(f"/projects/{project.pk}/manage/").status_code == 200


def test_the_initiator_records_a_payment_with_its_reference(client, world):
    project = world.funding(target=100_000)
    c = as_user(client, world.initiator)
    body = {"payer_name": "王五", "amount": "50.00", "channel": "wechat", "reference": "WX1"}
    assert c.post(f"/projects/{project.pk}/manage/payments/", body).status_code == 302
    assert c.post(f"/projects/{project.pk}/manage/payments/", body).status_code == 302
    payment = Payment.objects.get()  # idempotent on the reference
    assert (payment.amount, payment.recorded_by) == (5_000, world.initiator)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"amount": "x"}, "amount"), ({"payer_name": ""}, "payer_name"),
     ({"channel": "cash", "reference": ""}, "receipt"), ({"reference": ""}, "reference")],
)  # fmt: skip
def test_a_bad_payment_names_the_field(client, world, change, field):
    project = world.funding(target=100_000)
    body = {"payer_name": "王五", "amount": "50", "channel": "bank", "reference": "B1", **change}
    resp = as_user(client, world.initiator).post(f"/projects/{project.pk}/manage/payments/", body)
    assert resp.status_code == 400
    assert resp.context["payment_form"].errors.get(field), resp.context["payment_form"].errors
    assert not Payment.objects.exists()


def _delivering(world):
    project = world.funding(target=10_000)
    world.pay(project, 6_667)  # + the community's half: the target is reached
    project.refresh_from_db()
    return project


def test_milestones_with_photos_then_expenses_with_receipts(client, world):
    project = _delivering(world)
    c = as_user(client, world.initiator)
    due = str(timezone.localdate() + timedelta(days=5))
    assert (
        c.post(
            f"/projects/{project.pk}/manage/milestones/", {"title": "采购", "due": due}
        ).status_code
        == 302
    )
    m = Milestone.objects.get()
    resp = c.post(
        f"/projects/{project.pk}/manage/milestones/{m.pk}/done/",
        {"note": "买好了", "photo": photo("m.jpg")},
    )
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.done_at and m.photo
    assert c.get(f"/projects/{project.pk}/milestones/{m.pk}/photo/").status_code == 200
    resp = c.post(
        f"/projects/{project.pk}/manage/expenses/",
        {"payee": "五金店", "description": "器材", "amount": "40.01", "milestone": str(m.pk),
         "receipt": photo()},
    )  # fmt: skip
    assert resp.status_code == 302
    e = Expense.objects.get()
    assert (e.amount, e.milestone) == (4_001, m)
    # A neighbour sees the expense's receipt from the public accounts.
    n = as_user(client, world.neighbours[0])
    assert n.get(f"/projects/{project.pk}/expenses/{e.pk}/receipt/").status_code == 200
    assert (
        f"/projects/{project.pk}/expenses/{e.pk}/receipt/"
        in n.get(f"/projects/{project.pk}/").content.decode()
    )


def test_overspending_is_refused_with_the_message(client, world):
    project = _delivering(world)
    resp = as_user(client, world.initiator).post(
        f"/projects/{project.pk}/manage/expenses/",
        {"payee": "店", "description": "器材", "amount": "100.01", "receipt": photo()},
    )
    assert resp.status_code == 400
    errors = resp.context["expense_form"].errors["amount"]
    assert "¥100.00" in errors[0] and "¥100.01" in errors[0]
    assert not Expense.objects.exists()


def test_an_expense_needs_its_receipt(client, world):
    project = _delivering(world)
    resp = as_user(client, world.initiator).post(
        f"/projects/{project.pk}/manage/expenses/",
        {"payee": "店", "description": "器材", "amount": "1"},
    )
    assert resp.status_code == 400 and resp.context["expense_form"].errors["receipt"]
    assert not Expense.objects.exists()


def test_a_cash_receipt_is_shown_to_those_who_record_payments_only(client, world):
    project = world.funding(target=100_000)
    payment = world.pay(project, 100, channel="cash", reference="", receipt=photo())
    url = f"/projects/{project.pk}/payments/{payment.pk}/receipt/"
    assert as_user(client, world.neighbours[0]).get(url).status_code == 404
    assert as_user(client, world.initiator).get(url).status_code == 200


def test_the_closing_note_completes_the_project(client, world):
    project = _delivering(world)
    c = as_user(client, world.initiator)
    resp = c.post(f"/projects/{project.pk}/manage/complete/", {"closing_note": ""})
    assert resp.status_code == 400 and resp.context["complete_form"].errors["closing_note"]
    resp = c.post(f"/projects/{project.pk}/manage/complete/", {"closing_note": "健身角已启用"})
    assert resp.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.COMPLETED and project.closing_note == "健身角已启用"
