"""/browse: classes with counts; /browse?class=… its members, sorted and paged."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from regiograph.resources.ontology import ontology
from regiograph.resources.present import Presenter
from regiograph.server.kit import headers, i18n
from regiograph.server.kit.params import page_number
from regiograph.server.kit.suggestions import search_index
from regiograph.server.kit.urls import link_for
from regiograph.server.services import config

blueprint = Blueprint("browse", __name__)
blueprint.after_request(headers.secure)
PAGE_SIZE = 50
ORDERS = ("label", "-label", "iri")


@blueprint.get("/browse")
def browse():
    language = i18n.language()
    presenter = Presenter(ontology(), language, link_for, config().base_iri)
    index = search_index()
    class_iri = request.args.get("class")
    if not class_iri:
        classes = [(presenter.link(t), t, n) for t, n in index.classes()]
        classes.sort(key=lambda c: (ontology().term(c[1]) is None, -c[2], c[0].text))
        return render_template("browse.html", classes=classes)
    order = request.args.get("sort", "label")
    if order not in ORDERS:
        abort(400, description=f"sort must be one of {', '.join(ORDERS)}")
    page = page_number()
    total, hits = index.browse(
        class_iri, order=order, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    items = [
        {
            "label": h.label(language),
            "url": link_for(h.iri),
            "keys": h.keys,
            "description": (h.description(language) or "")[:200],
        }
        for h in hits
    ]
    return render_template(
        "browse_class.html",
        class_iri=class_iri,
        class_label=presenter.term_label(class_iri),
        class_comment=presenter.comment(class_iri),
        items=items,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        order=order,
    )
