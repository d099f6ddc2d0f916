"""The projects' test world: 凤凰社区 (community) with its fund, residents of micro1 and
micro2 (both in it), the community's staff, and helpers that walk a project to a stage."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shezhi.projects import ledger, services
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    ledger.forget_cached_accounts()
    with translation.override("en"):
        yield
    ledger.forget_cached_accounts()


def photo(name="receipt.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


class World:
    def __init__(self, cast, territory):
        self.cast = cast
        self.territory = territory
        self.community = territory["community"]
        self.staff = cast.community
        self.initiator = cast.resident
        self.neighbours = [
            make_user(f"neighbour{i}", role="resident", area=territory["micro2"]) for i in range(3)
        ]
        self.fund = services.open_fund(actor=self.staff, community=self.community, name="凤凰基金")
        self._refs = 0

    def rules(self, **kw):
        values = {
            "backing_threshold": 2,
            "match_ratio_bp": 5000,
            "match_cap": 50_000,
            "overfunding_pct": 20,
        }
        values.update(kw)
        return services.set_rules(
            actor=self.cast.district, district=self.territory["district"], **values
        )

    def allocate(self, amount=1_000_000):
        self._refs += 1
        return services.allocate(
            actor=self.staff, fund=self.fund, amount=amount, reference=f"拨款{self._refs}"
        )

    def propose(self, target=100_000, days=30, **kw):
        return services.propose(
            actor=self.initiator,
            area=self.territory["micro1"],
            title="楼道灯更换",
            problem="楼道太黑",
            plan="换成声控灯",
            budget=[
                {"kind": "materials", "description": "声控灯", "amount": target - target // 4},
                {"kind": "labour", "description": "电工", "amount": target // 4},
            ],
            deadline=timezone.now() + timedelta(days=days),
            **kw,
        )

    def funding(self, target=100_000, **kw):
        project = self.propose(target=target, **kw)
        for n in self.neighbours[:2]:
            services.back(actor=n, project=project)
        return services.review(actor=self.staff, project=project, decision="approve")

    def pay(self, project, amount, channel="bank", **kw):
        self._refs += 1
        kw.setdefault("reference", f"REF{self._refs}")
        return services.record_payment(
            actor=self.staff,
            project=project,
            payer_name="张三",
            amount=amount,
            channel=channel,
            **kw,
        ).payment


@pytest.fixture
def world(cast, territory, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    w = World(cast, territory)
    w.rules()
    w.allocate()
    return w
