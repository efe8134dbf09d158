from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class ServiceCasePortal(CustomerPortal):
    """Customers follow their own service cases on the portal."""

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
