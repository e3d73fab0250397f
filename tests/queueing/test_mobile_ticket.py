"""Issue 10 §2: the mobile ticket — its 长辈模式 button works, and a ticket finished as 材料不全 shows what to bring and
how to obtain each item (BIZ-1.1), not just 「已完成」."""

from __future__ import annotations

from django.urls import reverse

from queueing import services as s


def _missing(floor):
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    s.ticket_call_next(counter=floor["c1"], clerk=floor["clerk_a"])
    s.handling_start(ticket=t, clerk=floor["clerk_a"])
    s.handling_finish(
        ticket=t,
        clerk=floor["clerk_a"],
        outcome="materials_missing",
        business_types=[floor["basic"]],
        brought_material_ids=[],
    )
    return t


def test_materials_missing_ticket_lists_each_item_and_how_to_obtain_it(client, floor):
    t = _missing(floor)
    for name in ("queueing:mobile_ticket", "queueing:mobile_ticket_status"):
        html = client.get(reverse(name, args=[t.public_token])).content.decode()
        assert "材料不全" in html and "身份证原件" in html and "如遗失可先办理临时身份证" in html
        assert "页面每10秒自动刷新" not in html  # finished: nothing more to poll for


def test_elder_mode_button_switches_the_mobile_ticket_to_large_text(client, floor):
    t = s.ticket_issue(hall=floor["hall"], business_type=floor["basic"])
    url = reverse("queueing:mobile_ticket", args=[t.public_token])
    html = client.get(url).content.decode()
    assert 'href="?elder=1"' in html and "mobile-ticket elder" not in html
    elder = client.get(url + "?elder=1").content.decode()
    assert "mobile-ticket elder" in elder and "标准模式" in elder
