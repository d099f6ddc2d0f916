"""The case library's test world: the one cast; cases written by 凤凰社区's staff."""

from __future__ import annotations

import pytest

from shezhi.cases import services


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


def write(cast, territory, *, title="加装电梯：从爬楼难到一键上楼", area="community", **extra):
    fields = {
        "summary": "凤凰家园1栋居民协商一致，加装电梯。",
        "background": "1栋住着不少老人，每天爬六层楼。",
        "approach": "楼栋长挨家挨户征求意见，召开院落坝坝会，分摊方案公开。",
        "results": "电梯三个月建成，老人下楼次数明显增加。",
        "tags": "加装电梯，老旧小区改造",
        **extra,
    }
    return services.create_case(actor=cast.community, area=territory[area], title=title, **fields)


def publish(cast, case):
    services.review_case(actor=cast.street, case=case)
    return services.publish_case(actor=cast.community, case=case)
