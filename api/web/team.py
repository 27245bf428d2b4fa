"""The organization's team page: its coordinators with their state (active, invited,
disabled), inviting a colleague by email into the same organization, and revoking an
invitation nobody has accepted yet.

There is no mail delivery: the one-time link (:func:`api.accounts.one_time_link`, as
``mentormatch users invite`` prints it) is shown once, on the page that made it, and
stored only as its hash; it is never put in a flash message (those live in the cookie).
Everything is scoped to the signed-in coordinator's organization. Invitations and their
withdrawal are audit entries about the invited account, by its id.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import delete, select

from api import accounts, audit
from api.db import transaction
from api.services import services
from api.tables_web import User, UserToken
from api.web import bp


def state(user: User) -> str:
    """active, invited (no password yet) or disabled."""
    if user.disabled_at is not None:
        return "disabled"
    return "active" if user.password_hash else "invited"


def _page(link: str | None = None, invited: str | None = None, error: str | None = None):
    with services().sessions() as session:
        users = session.scalars(
            select(User).where(User.organization_id == g.organization_id).order_by(User.email)
        ).all()
        rows = [(u, state(u)) for u in users]
    page = render_template(
        "team.html",
        rows=rows,
        link=link,
        invited=invited,
        error=error,
        hours=services().settings["INVITE_HOURS"],
    )
    return page, 422 if error else 200


@bp.route("/team")
def team():
    """The organization's coordinators and the invite form."""
    return _page()


@bp.route("/team/invite", methods=["POST"])
def invite():
    """Invite an email into the organization (or renew the link of an open invitation);
    the link is shown on this page only."""
    email = request.form.get("email", "")
    hours = float(services().settings["INVITE_HOURS"])
    with transaction(services().sessions) as session:
        error, token, user = None, None, accounts.find_user(session, email)
        if user is None:
            try:
                user = accounts.create_user(session, g.organization_name, email, None)
            except accounts.AccountError as problem:
                error = f"Not invited: {problem}."
        elif user.organization_id != g.organization_id or state(user) != "invited":
            # the same words whichever organization the account belongs to
            error = f"Not invited: {user.email} already has an account."
        if error is None:
            token = accounts.one_time_link(session, user, hours)
            invited = user.email
            audit.record(
                session,
                "user.invited",
                object_type="user",
                object_id=str(user.id),
                detail={"purpose": "invite"},
            )
    if error is not None:
        return _page(error=error)
    return _page(link=url_for("web.welcome", token=token, _external=True), invited=invited)


@bp.route("/team/<int:user_id>/revoke", methods=["POST"])
def revoke(user_id):
    """Withdraw an invitation nobody accepted: the account and its link are deleted."""
    with transaction(services().sessions) as session:
        user = session.get(User, user_id)
        if user is None or user.organization_id != g.organization_id:
            abort(404)
        if state(user) != "invited":
            flash(f"{user.email} has accepted the invitation already; nothing was revoked.")
            return redirect(url_for("web.team"), 303)
        email = user.email
        session.execute(delete(UserToken).where(UserToken.user_id == user.id))
        session.delete(user)
        audit.record(session, "user.invitation_revoked", object_type="user", object_id=str(user_id))
    flash(f"The invitation of {email} was revoked; its link no longer works.")
    return redirect(url_for("web.team"), 303)
