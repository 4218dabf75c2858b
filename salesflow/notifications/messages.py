"""What each kind of notification says, in the reader's language (STYLE.md rule 9: a registry;
an unknown kind fails loudly). Notifications store only the kind and its parameters, so a
message reads in whichever language its reader uses when it is shown."""

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import format_date, ngettext
from flask_babel import gettext as _


def _date(value: Any) -> str:
    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _handover_planned(p: dict[str, Any]) -> str:
    return ngettext(
        "%(creator)s planned the handover of %(num)d account from %(from_user)s to %(to_user)s, "
        "due %(due)s.",
        "%(creator)s planned the handover of %(num)d accounts from %(from_user)s to "
        "%(to_user)s, due %(due)s.",
        p.get("accounts", 0),
        creator=p.get("creator", ""),
        from_user=p.get("from_user", ""),
        to_user=p.get("to_user", ""),
        due=_date(p.get("due")),
    )


def _handover_complete(p: dict[str, Any]) -> str:
    return _(
        "The handover from %(from_user)s to %(to_user)s is complete: every checklist item is "
        "proven by the data.",
        from_user=p.get("from_user", ""),
        to_user=p.get("to_user", ""),
    )


def _roles_transferred(p: dict[str, Any]) -> str:
    return _(
        "%(actor)s transferred the roles of %(from_user)s to %(to_user)s.",
        actor=p.get("actor", ""),
        from_user=p.get("from_user", ""),
        to_user=p.get("to_user", ""),
    )


def _stage_sla_breach(p: dict[str, Any]) -> str:
    """One deal over its stage's limit (stored before breaches were told grouped)."""
    from flask_babel import get_locale

    from salesflow.playbooks.schema import text

    return _(
        "%(deal)s has been in the stage %(stage)s for %(days)d days; its limit is %(sla)d.",
        deal=p.get("deal", ""),
        stage=text(p.get("stage") or {}, get_locale()),
        days=int(p.get("days", 0)),
        sla=int(p.get("sla", 0)),
    )


def _stage_sla_breaches(p: dict[str, Any]) -> str:
    """A person's deals that went over their stage's limit, told once a day: how many, and the
    one longest over it with its account."""
    from flask_babel import get_locale

    from salesflow.playbooks.schema import text

    deal = {
        "deal": p.get("deal", ""),
        "account": p.get("account", ""),
        "stage": text(p.get("stage") or {}, get_locale()),
        "days": int(p.get("days", 0)),
        "sla": int(p.get("sla", 0)),
    }
    count = int(p.get("count", 1))
    if count == 1:
        return _(
            "%(deal)s (%(account)s) passed its stage's time limit: %(days)d days in %(stage)s, "
            "limit %(sla)d.",
            **deal,
        )
    return ngettext(
        "%(num)d deals passed their stage's time limit, among them %(deal)s (%(account)s): "
        "%(days)d days in %(stage)s, limit %(sla)d.",
        "%(num)d deals passed their stage's time limit, among them %(deal)s (%(account)s): "
        "%(days)d days in %(stage)s, limit %(sla)d.",
        count,
        **deal,
    )


def _close_date_passed(p: dict[str, Any]) -> str:
    """An AR's open deals whose expected close date passed: update the date or close them."""
    deal = {
        "deal": p.get("deal", ""),
        "account": p.get("account", ""),
        "date": _date(p.get("date")),
        "overdue": int(p.get("overdue", 0)),
    }
    count = int(p.get("count", 1))
    if count == 1:
        return _(
            "%(deal)s (%(account)s) was expected to close on %(date)s: update the date or close "
            "the deal. Open deals of yours past their close date: %(overdue)d.",
            **deal,
        )
    return ngettext(
        "%(num)d of your deals passed their expected close date, among them %(deal)s "
        "(%(account)s), expected on %(date)s: update the dates or close them. Open deals of "
        "yours past their close date: %(overdue)d.",
        "%(num)d of your deals passed their expected close date, among them %(deal)s "
        "(%(account)s), expected on %(date)s: update the dates or close them. Open deals of "
        "yours past their close date: %(overdue)d.",
        count,
        **deal,
    )


def _next_steps_overdue(p: dict[str, Any]) -> str:
    return ngettext(
        "%(num)d of your next steps is overdue (due %(oldest)s).",
        "%(num)d of your next steps are overdue; the oldest was due %(oldest)s.",
        int(p.get("count", 0)),
        oldest=_date(p.get("oldest")),
    )


def _key_contact_idle(p: dict[str, Any]) -> str:
    if p.get("days") is None:
        return _(
            "%(contact)s (%(account)s), a key contact, has never been met by any of us.",
            contact=p.get("contact", ""),
            account=p.get("account", ""),
        )
    return _(
        "Nobody of ours has met %(contact)s (%(account)s), a key contact, for %(days)d days.",
        contact=p.get("contact", ""),
        account=p.get("account", ""),
        days=int(p["days"]),
    )


def _handover_overdue(p: dict[str, Any]) -> str:
    return _(
        "The handover from %(from_user)s to %(to_user)s was due %(due)s: %(open)d of %(total)d "
        "items are not proven yet.",
        from_user=p.get("from_user", ""),
        to_user=p.get("to_user", ""),
        due=_date(p.get("due")),
        open=int(p.get("open", 0)),
        total=int(p.get("total", 0)),
    )


def _weekly_digest(p: dict[str, Any]) -> str:
    return _(
        "Your week in %(team)s: %(deals)d open deals, %(breaches)d past their stage's limit, "
        "%(steps)d overdue next steps, %(risky)d accounts at high dependency risk.",
        team=p.get("team", ""),
        deals=int(p.get("deals", 0)),
        breaches=int(p.get("breaches", 0)),
        steps=int(p.get("steps", 0)),
        risky=int(p.get("risky", 0)),
    )


def _import_done(p: dict[str, Any]) -> str:
    return _(
        "Your import of %(file)s is done: %(created)d created, %(updated)d updated, "
        "%(unchanged)d unchanged, %(skipped)d skipped, %(errors)d with errors.",
        file=p.get("file", ""),
        created=int(p.get("created", 0)),
        updated=int(p.get("updated", 0)),
        unchanged=int(p.get("unchanged", 0)),
        skipped=int(p.get("skipped", 0)),
        errors=int(p.get("errors", 0)),
    )


def _gate_text(p: dict[str, Any]) -> str:
    from flask_babel import get_locale

    from salesflow.playbooks.schema import text

    return text(p.get("gate") or {}, get_locale())


def _decision_requested(p: dict[str, Any]) -> str:
    if p.get("comment"):
        return _(
            "%(asker)s asks you to decide %(gate)s on %(deal)s (%(account)s): %(comment)s",
            asker=p.get("asker", ""),
            gate=_gate_text(p),
            deal=p.get("deal", ""),
            account=p.get("account", ""),
            comment=p["comment"],
        )
    return _(
        "%(asker)s asks you to decide %(gate)s on %(deal)s (%(account)s).",
        asker=p.get("asker", ""),
        gate=_gate_text(p),
        deal=p.get("deal", ""),
        account=p.get("account", ""),
    )


def _decision_made(p: dict[str, Any]) -> str:
    names = {
        "decider": p.get("decider", ""),
        "gate": _gate_text(p),
        "deal": p.get("deal", ""),
        "account": p.get("account", ""),
    }
    if p.get("decision") == "approve":
        if p.get("comment"):
            return _(
                "%(decider)s approved %(gate)s on %(deal)s (%(account)s): %(comment)s",
                comment=p["comment"],
                **names,
            )
        return _("%(decider)s approved %(gate)s on %(deal)s (%(account)s).", **names)
    return _(
        "%(decider)s rejected %(gate)s on %(deal)s (%(account)s): %(comment)s",
        comment=p.get("comment") or "—",
        **names,
    )


def _kind_name(p: dict[str, Any]) -> str:
    from salesflow.requests.kinds import label

    return label(str(p.get("kind") or "other"))


def _request_asked(p: dict[str, Any]) -> str:
    return _(
        "%(asker)s asks you for %(kind)s: %(title)s (%(account)s).",
        asker=p.get("asker", ""),
        kind=_kind_name(p),
        title=p.get("title", ""),
        account=p.get("account", ""),
    )


def _request_changed(p: dict[str, Any]) -> str:
    from salesflow.requests.services import status_label

    try:
        status = status_label(str(p.get("status")))
    except ValueError:
        status = str(p.get("status", ""))
    return _(
        "%(actor)s moved the request %(title)s (%(account)s) to %(status)s.",
        actor=p.get("actor", ""),
        title=p.get("title", ""),
        account=p.get("account", ""),
        status=status,
    )


def _request_rated(p: dict[str, Any]) -> str:
    return _(
        "%(rater)s rated %(title)s (%(account)s) %(rating)d out of 5.",
        rater=p.get("rater", ""),
        title=p.get("title", ""),
        account=p.get("account", ""),
        rating=int(p.get("rating", 0)),
    )


def _requests_due(p: dict[str, Any]) -> str:
    return _(
        "Requests asked of you: %(tomorrow)d needed tomorrow, %(overdue)d overdue.",
        tomorrow=int(p.get("tomorrow", 0)),
        overdue=int(p.get("overdue", 0)),
    )


def _decisions_waiting(p: dict[str, Any]) -> str:
    return ngettext(
        "%(num)d decision has waited more than %(days)d working days for its director; the "
        "longest: %(title)s, asked of %(director)s.",
        "%(num)d decisions have waited more than %(days)d working days for their directors; "
        "the longest: %(title)s, asked of %(director)s.",
        int(p.get("count", 0)),
        days=int(p.get("days", 0)),
        title=p.get("title", ""),
        director=p.get("director", ""),
    )


def _plan_objectives_behind(p: dict[str, Any]) -> str:
    return ngettext(
        "Account plan of %(account)s: %(num)d objective is falling behind (%(title)s).",
        "Account plan of %(account)s: %(num)d objectives are falling behind (first: %(title)s).",
        int(p.get("count", 0)),
        account=p.get("account", ""),
        title=p.get("title", ""),
    )


MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "handover_planned": _handover_planned,
    "handover_complete": _handover_complete,
    "roles_transferred": _roles_transferred,
    "stage_sla_breach": _stage_sla_breach,
    "stage_sla_breaches": _stage_sla_breaches,
    "close_date_passed": _close_date_passed,
    "next_steps_overdue": _next_steps_overdue,
    "key_contact_idle": _key_contact_idle,
    "handover_overdue": _handover_overdue,
    "weekly_digest": _weekly_digest,
    "import_done": _import_done,
    "decision_requested": _decision_requested,
    "decision_made": _decision_made,
    "request_asked": _request_asked,
    "request_changed": _request_changed,
    "request_rated": _request_rated,
    "requests_due": _requests_due,
    "decisions_waiting": _decisions_waiting,
    "plan_objectives_behind": _plan_objectives_behind,
}


# What is e-mailed as well (when SMTP is configured): the digest and the urgent items.
EMAILED = {"weekly_digest", "stage_sla_breach", "stage_sla_breaches", "handover_overdue"}


def render(kind: str, params: dict[str, Any]) -> str:
    """The message of a stored notification; a kind no longer known shows its name."""
    message = MESSAGES.get(kind)
    return message(params or {}) if message else kind
