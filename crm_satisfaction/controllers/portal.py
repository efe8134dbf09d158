from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

# what a customer may raise on the portal (after-sale visits are the
# company's own)
PORTAL_CASE_TYPES = ("complaint", "request")


class ServiceCasePortal(CustomerPortal):
    """Customers raise complaints and requests and follow their own service
    cases on the portal."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_case_count" in counters:
            Case = request.env["crm.service.case"]
            values["service_case_count"] = (
                Case.search_count([]) if Case.has_access("read") else 0
            )
        return values

    @http.route(
        ["/my/cases", "/my/cases/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_cases(self, page=1, **kw):
        Case = request.env["crm.service.case"]
        values = self._prepare_portal_layout_values()
        count = Case.search_count([])
        pager = portal_pager(
            url="/my/cases", total=count, page=page, step=self._items_per_page
        )
        cases = Case.search(
            [],
            order="date_recorded desc, id desc",
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        values.update(
            {
                "cases": cases,
                "page_name": "service_case",
                "pager": pager,
                "default_url": "/my/cases",
            }
        )
        return request.render("crm_satisfaction.portal_my_cases", values)

    @http.route(["/my/cases/<int:case_id>"], type="http", auth="public", website=True)
    def portal_my_case(self, case_id, access_token=None, **kw):
        try:
            case_sudo = self._document_check_access(
                "crm.service.case", case_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            case_sudo,
            access_token,
            {"case": case_sudo, "page_name": "service_case"},
            "my_cases_history",
            False,
        )
        return request.render("crm_satisfaction.portal_my_case", values)

    @http.route(
        ["/my/cases/new"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_new_case(self, name="", case_type="complaint", description="", **kw):
        """A complaint or request of the portal user's customer (its
        commercial partner), recorded for the customer's salesperson with the
        deadline of its service level. Internal users record cases in the
        backend."""
        Case = request.env["crm.service.case"]
        user = request.env.user
        if not user.share or not Case.has_access("read"):
            return request.redirect("/my")
        types = [
            (key, label)
            for key, label in Case._fields["case_type"]._description_selection(
                request.env
            )
            if key in PORTAL_CASE_TYPES
        ]
        name = name.strip()
        error = None
        if request.httprequest.method == "POST":
            if name and case_type in dict(types):
                # the customer may read its cases, not write them: recorded
                # on its behalf, in the customer's name (author of the chatter)
                case = Case.sudo().create(
                    {
                        "name": name,
                        "case_type": case_type,
                        "description": plaintext2html(description or ""),
                        **self._new_case_company_owner(user.partner_id),
                    }
                )
                return request.redirect(case.get_portal_url())
            error = request.env._("Give your request a subject and a type.")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "service_case_new",
                "case_types": types,
                "name": name,
                "case_type": case_type,
                "description": description,
                "error": error,
            }
        )
        return request.render("crm_satisfaction.portal_new_case", values)

    def _new_case_company_owner(self, partner):
        """Customer, company and owner of a case a portal user raises: the
        customer's company, else that of its latest purchase, else the
        user's, among the companies the user may see (to follow the case);
        its salesperson if they work in that company."""
        user = request.env.user
        customer = partner.commercial_partner_id.sudo()
        # the customer's figures, read to route its request
        profile = (
            request.env["crm.customer.profile"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", customer.id),
                    ("company_id", "in", user.company_ids.ids),
                ],
                order="last_purchase_date desc nulls last, id desc",
                limit=1,
            )
        )
        company = customer.company_id & user.company_ids or (
            profile.company_id or user.company_id
        )
        owner = customer.user_id
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "user_id": owner.id if company in owner.company_ids else False,
        }
