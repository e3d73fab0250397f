"""The one access mechanism: which halls and regions a user may see, and what they may do there.

Every queryset a user reaches goes through ``Model.objects.for_user(user)`` (see ``HallScopedQuerySet``),
and every action through ``user_can(user, capability, hall)``. Capabilities come from roles (``ROLE_CAPABILITIES``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from lib.errors import Forbidden, NotFound
from lib.memo import Memo
from staff.models import HallRole, RegionRole

# What each role may do. Read access to a hall comes from any role there; these are the extra rights.
ROLE_CAPABILITIES: dict[str, set[str]] = {
    HallRole.CLERK: {
        "queue.serve",
        "evaluation.own",
        "complaint.intake",
        "consultation.intake",
        "customer.view",
        "catalog.view",
        "facility.report",
        "training.attend",
        "visit.perform",
        "inspection.view",  # inspections
        "kpi.own",
    },
    HallRole.GREETER: {
        "queue.greet",
        "queue.issue",
        "consultation.intake",
        "catalog.view",
        "customer.view",
        "facility.report",
        "facility.maintain",
        "training.attend",
        "visit.book",
    },
    HallRole.DUTY_SUPERVISOR: {
        "queue.serve",
        "evaluation.view",
        "evaluation.follow_up",
        "queue.greet",
        "queue.issue",
        "queue.supervise",
        "emergency.declare",
        "complaint.intake",
        "complaint.handle",
        "consultation.intake",
        "consultation.handle",
        "customer.view",
        "pi.reveal",
        "catalog.view",
        "staff.view",
        "sla.view",
        "report.view",
        "facility.report",
        "facility.maintain",
        "facility.supervise",
        "inspection.view",  # inspections
        "inspection.conduct",  # inspections
        "appearance.check",  # inspections
        "training.attend",
        "visit.book",
        "visit.handle",
        "visit.perform",
        "kpi.view",
    },
    HallRole.HALL_MANAGER: {
        "queue.serve",
        "evaluation.view",
        "evaluation.review",
        "evaluation.follow_up",
        "evaluation.configure",
        "queue.greet",
        "queue.issue",
        "queue.supervise",
        "queue.configure",
        "emergency.declare",
        "announcement.publish",
        "complaint.intake",
        "complaint.handle",
        "complaint.close",
        "consultation.intake",
        "consultation.handle",
        "customer.view",
        "pi.reveal",
        "catalog.view",
        "catalog.edit",
        "staff.view",
        "report.view",
        "sla.view",
        "notify.view",
        "facility.report",
        "facility.maintain",
        "facility.supervise",
        "facility.manage",
        "inspection.view",  # inspections
        "inspection.conduct",  # inspections
        "appearance.check",  # inspections
        "rectification.verify",  # inspections
        "training.manage",
        "training.assign",
        "visit.book",
        "visit.handle",
        "visit.perform",
        "kpi.view",
        "kpi.decide",
        "kpi.meeting",
        "kpi.export",
    },
    RegionRole.QUALITY_INSPECTOR: {
        "complaint.handle",
        "evaluation.view",
        "complaint.close",
        "consultation.handle",
        "customer.view",
        "catalog.view",
        "staff.view",
        "report.view",
        "queue.supervise",
        "sla.view",
        "notify.view",
        "inspection.view",  # inspections
        "inspection.template",  # inspections
        "mystery.plan",  # inspections
        "training.assign",
        "kpi.view",
        "kpi.decide_hall",
    },
    RegionRole.HQ_ADMIN: {
        "queue.supervise",
        "evaluation.view",
        "evaluation.review",
        "evaluation.configure",
        "queue.configure",
        "announcement.publish",
        "complaint.handle",
        "complaint.close",
        "consultation.handle",
        "customer.view",
        "pi.reveal",
        "catalog.view",
        "catalog.edit",
        "staff.view",
        "report.view",
        "standard.publish",
        "token.manage",
        "sla.view",
        "notify.view",
        "facility.supervise",
        "facility.manage",
        "inspection.view",  # inspections
        "inspection.template",  # inspections
        "mystery.plan",  # inspections
        "rectification.verify",  # inspections
        "training.manage",
        "training.assign",
        "visit.book",
        "visit.handle",
        "kpi.view",
        "kpi.decide_hall",
        "kpi.export",
    },
    RegionRole.AUDITOR: {
        "customer.view",
        "evaluation.view",
        "catalog.view",
        "staff.view",
        "report.view",
        "audit.view",
        "sla.view",
        "notify.view",
        "inspection.view",  # inspections
        "kpi.view",
        "kpi.export",
    },
}

_CACHE_ATTR = "_tingwu_access"

# Per-process memo (lib.memo) of the roles (two queries per request otherwise: the counter console's every
# call-next, start and finish paid them). Entries live ACCESS_TTL_SECONDS; a role granted or withdrawn in THIS
# process drops the user's entry at once and again after commit, other processes see it within the TTL (or at once,
# when the hot path's listener hears the change: ``forget_access``). A hall moved or added to a region changes the
# halls of every regional role: every entry goes. The key carries the password hash: it is salted per user row, so
# a recycled primary key (tests, SQLite) or a password change never hits an older entry; ``is_active`` /
# ``is_superuser`` come from the request's fresh user row.
ACCESS_TTL_SECONDS = 5.0


def _scope(instance):
    """The entries of the user a changed row belongs to (everyone's for a hall or region)."""
    user_id = instance.pk if isinstance(instance, AbstractBaseUser) else getattr(instance, "user_id", None)
    return None if user_id is None else (lambda key: key[0] == user_id)


_memo = Memo(
    "staff.access",
    ttl=ACCESS_TTL_SECONDS,
    maxsize=10_000,
    models=(
        "staff.HallAssignment",
        "staff.RegionAssignment",
        settings.AUTH_USER_MODEL,
        "halls.Hall",
        "halls.Region",
    ),
    scope=_scope,
)


def _memo_key(user) -> tuple:
    return (user.pk, user.password, user.is_superuser)


def forget_access(user_id: int | None = None) -> None:
    """Drop memoised roles (one user, or everyone) now and once the current transaction commits."""
    _memo.forget(None if user_id is None else (lambda key: key[0] == user_id))


def _access(user) -> dict:
    """Roles per hall for this user, computed once per request (cached on the user object) and memoised per
    process for a few seconds."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    data: dict = {"all": False, "hall_roles": {}, "region_ids": set()}
    if not user or not user.is_authenticated or not user.is_active:
        setattr(user, _CACHE_ATTR, data)
        return data
    data = _memo.get(_memo_key(user), lambda: _load_access(user, data))
    setattr(user, _CACHE_ATTR, data)
    return data


def _load_access(user, data: dict) -> dict:
    from halls.models import Hall, Region

    if user.is_superuser:
        data["all"] = True
        data["global_roles"] = {RegionRole.HQ_ADMIN}
    else:
        data["global_roles"] = set()
    for hall_id, role in user.hall_assignments.values_list("hall_id", "role"):
        data["hall_roles"].setdefault(hall_id, set()).add(role)
    for region_id, role in user.region_assignments.values_list("region_id", "role"):
        if region_id is None:
            data["all"] = True
            data["global_roles"].add(role)
            continue
        region = Region.objects.get(pk=region_id)
        region_ids = region.descendant_ids()
        data["region_ids"].update(region_ids)
        for hall_id in Hall.objects.filter(region_id__in=region_ids).values_list("pk", flat=True):
            data["hall_roles"].setdefault(hall_id, set()).add(role)
    return data


def clear_access_cache(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    if getattr(user, "pk", None) is not None:
        forget_access(user.pk)


def hall_ids_for_user(user) -> set[int] | None:
    """The ids of the halls the user may see; ``None`` means every hall (HQ roles)."""
    data = _access(user)
    if data["all"]:
        return None
    return set(data["hall_roles"])


def may_see_hall(user, hall_id: int) -> bool:
    """``for_user``'s rule for one hall: a row already read by its key (``lib.rows.by_pk``), ``user_can``, ``require``."""
    ids = hall_ids_for_user(user)
    return ids is None or hall_id in ids


def _grants(roles, capability: str) -> bool:
    return any(capability in ROLE_CAPABILITIES.get(role, set()) for role in roles)


def hall_ids_with(user, capability: str) -> set[int] | None:
    """The halls where the user holds ``capability``; ``None`` means every hall (an HQ role that grants it).

    A right held in one hall must not open another where the same person has a lesser role."""
    data = _access(user)
    global_roles = data.get("global_roles", set())
    if data["all"] and _grants(global_roles, capability):
        return None
    return {
        hall_id for hall_id, roles in data["hall_roles"].items() if _grants(roles | global_roles, capability)
    }


def region_ids_for_user(user) -> set[int] | None:
    data = _access(user)
    if data["all"]:
        return None
    from halls.models import Hall

    ids = set(data["region_ids"])
    ids.update(Hall.objects.filter(pk__in=data["hall_roles"]).values_list("region_id", flat=True))
    return ids


def roles_for(user, hall_id: int | None = None) -> set[str]:
    data = _access(user)
    roles = set(data.get("global_roles", set()))
    if hall_id is None:
        for hall_roles in data["hall_roles"].values():
            roles |= hall_roles
    else:
        roles |= data["hall_roles"].get(hall_id, set())
    return roles


def user_can(user, capability: str, hall=None) -> bool:
    """True when one of the user's roles (in that hall, or anywhere when ``hall`` is None) grants it."""
    hall_id = getattr(hall, "pk", hall)
    if hall_id is not None and not may_see_hall(user, hall_id):
        return False
    return _grants(roles_for(user, hall_id), capability)


def require(user, capability: str, hall=None) -> None:
    """Raise ``NotFound`` for a hall the user cannot see (no existence leak), ``Forbidden`` for a missing right."""
    hall_id = getattr(hall, "pk", hall)
    if hall_id is not None and not may_see_hall(user, hall_id):
        raise NotFound("not_found", _("记录不存在或无权查看"))
    if not user_can(user, capability, hall_id):
        raise Forbidden("forbidden", _("您没有执行此操作的权限"))


def is_read_only(user) -> bool:
    """Auditors read everything in scope and change nothing."""
    roles = roles_for(user)
    return bool(roles) and roles <= {RegionRole.AUDITOR}
