"""Pages of list routes: ``?page=&per_page=``, a server cap, ``Link`` to the next page.

``per_page`` defaults to the ``PAGE_SIZE`` setting and is lowered to ``MAX_PAGE_SIZE``
when larger (the body says which size was used). Rows come in a stable order chosen by
the caller; ``Link: <...>; rel="next"`` (and ``rel="prev"``) carry the other query
parameters unchanged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from api.services import services


def _url(page: int, per_page: int) -> str:
    query = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    query.update(page=page, per_page=per_page)
    return f"{request.base_url}?{urlencode(query)}"


def paginate(session: Session, statement: Select, args: dict, scalars: bool = True):
    """One page of ``statement``'s rows.

    Parameters
    ----------
    session : an open session.
    statement : the ordered select of all rows.
    args : the loaded :class:`api.schemas.PageArgs` (``page``, optional ``per_page``).
    scalars : yield the first column of each row (ORM objects) rather than rows.

    Returns
    -------
    (body, headers)
        ``{"items", "page", "per_page", "total"}`` and the ``Link`` header (may be empty).
    """
    settings = services().settings
    page = args["page"]
    per_page = min(args.get("per_page") or settings["PAGE_SIZE"], settings["MAX_PAGE_SIZE"])
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    paged = statement.limit(per_page).offset((page - 1) * per_page)
    items = list(session.scalars(paged) if scalars else session.execute(paged))
    links = []
    if page * per_page < total:
        links.append(f'<{_url(page + 1, per_page)}>; rel="next"')
    if page > 1:
        last = max(1, -(-total // per_page))
        links.append(f'<{_url(min(page - 1, last), per_page)}>; rel="prev"')
    headers = {"Link": ", ".join(links)} if links else {}
    body = {"items": items, "page": page, "per_page": per_page, "total": total}
    return body, headers
