from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import OwnCustomersCommon

MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)
REPORT = "crm.customer.profitability.report"
MEASURES = (
    "revenue:sum",
    "cogs_stock:sum",
    "cogs_order:sum",
    "cogs_cost:sum",
    "cogs_estimated:sum",
    "cogs:sum",
    "gross_margin:sum",
    "margin_percent:sum",
    "case_count:sum",
    "case_cost:sum",
    "activity_count:sum",
    "activity_cost:sum",
    "allocated_cost:sum",
    "cost_to_serve:sum",
    "contribution:sum",
)


class ProfitabilityCommon(OwnCustomersCommon):
    """Customer profitability of Alpha (Sally's) and Beta (the colleague's),
    margin rate 30 %:

    =====  =====  =========================================================
    month  who    facts
    =====  =====  =========================================================
    March  Alpha  4 widgets at 100 (cost 40), 1 returned: revenue 300, COGS
                  at cost 120; an after-sale visit (25); a done e-mail
                  activity (no cost); 150 of the 200 CRM costs (300 / 400)
    March  Beta   1 gadget at 100 (no cost): COGS estimated 70; a complaint
                  (40); a done call on its opportunity (15); 50 of the CRM
                  costs (100 / 400)
    April  Alpha  1 widget at 100 and 1 gadget at 50: COGS 40 at cost, 35
                  estimated; a done call on the invoice (15)
    May    -      CRM costs 80 and no revenue: allocated to nobody
    =====  =====  =========================================================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "crm_cost_per_complaint": 40,
                "crm_cost_per_request": 10,
                "crm_cost_per_visit": 25,
            }
        )
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.call.with_company(cls.company).crm_cost = 15
        cls.email = cls.env.ref("mail.mail_activity_data_email")
        Product = cls.env["product.product"].with_company(cls.company)
        cls.widget = Product.create({"name": "Widget", "standard_price": 40})
        cls.gadget = Product.create({"name": "Gadget"})
        cls.alpha = cls.customer("Alpha", user_id=cls.salesman.id)
        cls.beta = cls.customer("Beta", user_id=cls.colleague.id)

        def lines(*specs):
            return [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": price,
                        "tax_ids": [Command.clear()],
                    }
                )
                for product, quantity, price in specs
            ]

        moves = cls.env["account.move"].create(
            [
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": lines(*specs),
                }
                for move_type, partner, day, specs in [
                    (
                        "out_invoice",
                        cls.alpha,
                        date(2025, 3, 5),
                        [(cls.widget, 4, 100)],
                    ),
                    (
                        "out_refund",
                        cls.alpha,
                        date(2025, 3, 25),
                        [(cls.widget, 1, 100)],
                    ),
                    ("out_invoice", cls.beta, date(2025, 3, 8), [(cls.gadget, 1, 100)]),
                    (
                        "out_invoice",
                        cls.alpha,
                        date(2025, 4, 2),
                        [(cls.widget, 1, 100), (cls.gadget, 1, 50)],
                    ),
                ]
            ]
        )
        moves.action_post()
        cls.april_invoice = moves[3]
        Case = cls.env["crm.service.case"]
        Case.create(
            [
                {
                    "name": "Yearly visit",
                    "partner_id": cls.alpha.id,
                    "case_type": "visit",
                    "date_recorded": datetime(2025, 3, 12, 9),
                },
                {
                    "name": "Broken gadget",
                    "partner_id": cls.beta.id,
                    "case_type": "complaint",
                    "date_recorded": datetime(2025, 3, 14, 9),
                },
            ]
        )
        lead = cls.env["crm.lead"].create(
            {"name": "More gadgets", "partner_id": cls.beta.id, "type": "opportunity"}
        )
        with freeze_time("2025-03-20 10:00:00"):
            cls.alpha.activity_schedule(
                activity_type_id=cls.email.id, user_id=cls.salesman.id
            ).action_feedback(feedback="Sent")
            lead.activity_schedule(
                activity_type_id=cls.call.id, user_id=cls.colleague.id
            ).action_feedback(feedback="Called")
        with freeze_time("2025-04-10 10:00:00"):
            cls.april_invoice.activity_schedule(
                activity_type_id=cls.call.id, user_id=cls.salesman.id
            ).action_feedback(feedback="Payment reminder")
        # a supplier is no customer: its calls are no cost to serve
        cls.supplier = cls.env["res.partner"].create({"name": "Supplier"})
        with freeze_time("2025-03-21 10:00:00"):
            cls.supplier.activity_schedule(
                activity_type_id=cls.call.id, user_id=cls.salesman.id
            ).action_feedback(feedback="Ordered")
        # a call planned but not done costs nothing yet
        lead.activity_schedule(activity_type_id=cls.call.id, user_id=cls.colleague.id)
        cls.env["crm.cost.entry"].create(
            [
                {"name": "CRM licences", "date": date(2025, 3, 1), "amount": 120},
                {"name": "Campaign", "date": date(2025, 3, 31), "amount": 80},
                {"name": "Licences", "date": date(2025, 5, 1), "amount": 80},
            ]
        )
        cls.rank(cls, cls.REF)


@tagged("post_install", "-at_install")
class TestProfitability(ProfitabilityCommon):
    def sale_order(self, partner, product, *quantities, uom=None, price=100, **values):
        """A draft sale order of ``partner``: a line of ``product`` per
        quantity, at ``price`` without taxes, in ``uom`` (default the
        product's unit); ``values``: more fields of the order."""
        line = {
            "product_id": product.id,
            "price_unit": price,
            "tax_id": [Command.clear()],
        }
        if uom:
            line["product_uom"] = uom.id
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({**line, "product_uom_qty": quantity})
                    for quantity in quantities
                ],
                **values,
            }
        )

    def grouped(self, groupby, user=None, domain=(), measures=MEASURES):
        """{group key: {measure: value}} of Alpha and Beta, as ``user``
        (default the manager) reads them in the test company."""
        env = self.env(user=user or self.sales_manager)
        groups = (
            env[REPORT]
            .with_context(allowed_company_ids=self.company.ids)
            ._read_group(
                [("partner_id", "in", (self.alpha | self.beta).ids), *domain],
                groupby,
                list(measures),
            )
        )
        return {
            tuple(
                value.id if hasattr(value, "_name") else value
                for value in row[: len(groupby)]
            ): {
                name.split(":")[0]: round(value, 2) if value is not None else None
                for name, value in zip(measures, row[len(groupby) :], strict=True)
            }
            for row in groups
        }

    def test_figures_per_customer_and_month(self):
        rows = self.grouped(["partner_id", "month:month"])
        self.assertEqual(
            rows[self.alpha.id, MARCH],
            {
                "revenue": 300,
                "cogs_stock": 0,
                "cogs_order": 0,
                "cogs_cost": 120,
                "cogs_estimated": 0,
                "cogs": 120,
                "gross_margin": 180,
                "margin_percent": 60,
                "case_count": 1,
                "case_cost": 25,
                "activity_count": 1,
                "activity_cost": 0,
                "allocated_cost": 150,
                "cost_to_serve": 175,
                "contribution": 5,
            },
        )
        self.assertEqual(
            rows[self.beta.id, MARCH],
            {
                "revenue": 100,
                "cogs_stock": 0,
                "cogs_order": 0,
                "cogs_cost": 0,
                "cogs_estimated": 70,
                "cogs": 70,
                "gross_margin": 30,
                "margin_percent": 30,
                "case_count": 1,
                "case_cost": 40,
                "activity_count": 1,
                "activity_cost": 15,
                "allocated_cost": 50,
                "cost_to_serve": 105,
                "contribution": -75,
            },
        )
        self.assertEqual(
            rows[self.alpha.id, APRIL],
            {
                "revenue": 150,
                "cogs_stock": 0,
                "cogs_order": 0,
                "cogs_cost": 40,
                "cogs_estimated": 35,
                "cogs": 75,
                "gross_margin": 75,
                "margin_percent": 50,
                "case_count": 0,
                "case_cost": 0,
                "activity_count": 1,
                "activity_cost": 15,
                "allocated_cost": 0,
                "cost_to_serve": 15,
                "contribution": 60,
            },
        )
        self.assertEqual(len(rows), 3)
        self.assertFalse(
            self.env[REPORT].search([("partner_id", "=", self.supplier.id)])
        )
        # where each row's cost of goods sold comes from
        sources = self.env[REPORT].search(
            [("partner_id", "in", (self.alpha | self.beta).ids)], order="id"
        )
        self.assertEqual(
            {(r.partner_id, r.month): r.cogs_source for r in sources},
            {
                (self.alpha, MARCH): "cost",
                (self.beta, MARCH): "rate",
                (self.alpha, APRIL): "mixed",
            },
        )
        # the Estimated COGS filter: the rows that use the margin rate
        estimated = self.env[REPORT].search(
            [
                ("partner_id", "in", (self.alpha | self.beta).ids),
                ("cogs_rate_used", "=", True),
            ]
        )
        self.assertEqual(
            sorted((r.partner_id.name, r.month) for r in estimated),
            sorted([(self.beta.name, MARCH), (self.alpha.name, APRIL)]),
        )

    def test_cost_recorded_on_the_sale_order(self):
        """The cost of goods sold is the cost the sale order line records
        (sale_margin's Cost, here 72 a dozen where the product costs 60),
        else the product's cost, each in the invoice line's unit: Gamma is
        invoiced 2 dozen bolts of an order (COGS 144) and 1 dozen without
        order (COGS 60)."""
        dozen = self.env.ref("uom.product_uom_dozen")
        bolt = (
            self.env["product.product"]
            .with_company(self.company)
            .create({"name": "Bolt", "standard_price": 5})
        )
        gamma = self.customer("Gamma", user_id=self.salesman.id)
        order = self.sale_order(gamma, bolt, 2, uom=dozen)
        self.assertEqual(order.order_line.purchase_price, 60)
        order.order_line.purchase_price = 72
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = date(2025, 6, 3)
        loose = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": gamma.id,
                "invoice_date": date(2025, 6, 9),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": bolt.id,
                            "product_uom_id": dozen.id,
                            "quantity": 1,
                            "price_unit": 90,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        (invoice | loose).action_post()
        [row] = (
            self.env[REPORT]
            .with_context(allowed_company_ids=self.company.ids)
            .search([("partner_id", "=", gamma.id)])
        )
        self.assertEqual(
            (
                row.month,
                row.revenue,
                round(row.cogs_order, 2),
                round(row.cogs_cost, 2),
                row.cogs_estimated,
                round(row.gross_margin, 2),
                row.cogs_source,
            ),
            (date(2025, 6, 1), 290, 144, 60, 0, 86, "mixed"),
        )
        # the order alone: its source is the order's cost
        loose.button_draft()
        row.invalidate_recordset()
        [row] = (
            self.env[REPORT]
            .with_context(allowed_company_ids=self.company.ids)
            .search([("partner_id", "=", gamma.id)])
        )
        self.assertEqual(
            (row.revenue, round(row.cogs, 2), row.cogs_source), (200, 144, "order")
        )

    def test_cost_of_an_order_in_another_currency_and_its_credit_note(self):
        """The cost an order in EUR records (120 EUR a dozen at 2 EUR per
        USD: the product's 60 USD) is converted at the order's rate; a
        credit note of the order's invoice gives its cost back: 2 dozen
        invoiced (COGS 120 USD), 1 credited (−60 USD)."""
        dozen = self.env.ref("uom.product_uom_dozen")
        bolt = (
            self.env["product.product"]
            .with_company(self.company)
            .create({"name": "Bolt", "standard_price": 5})
        )
        delta = self.customer("Delta", user_id=self.salesman.id)
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": self.eur.id}
        )
        order = self.sale_order(
            delta,
            bolt,
            2,
            uom=dozen,
            price=200,
            pricelist_id=pricelist.id,
            date_order=datetime(2025, 6, 2, 9, 0),
        )
        self.assertEqual(
            (order.currency_rate, order.order_line.purchase_price), (2, 120)
        )
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = date(2025, 6, 3)
        invoice.action_post()
        refund = invoice._reverse_moves(
            [{"invoice_date": date(2025, 6, 5), "date": date(2025, 6, 5)}]
        )
        refund.invoice_line_ids.quantity = 1
        refund.action_post()
        [row] = (
            self.env[REPORT]
            .with_context(allowed_company_ids=self.company.ids)
            .search([("partner_id", "=", delta.id)])
        )
        self.assertEqual(
            (
                row.revenue,
                round(row.cogs_order, 2),
                round(row.cogs, 2),
                round(row.gross_margin, 2),
                row.cogs_source,
            ),
            (100, 60, 60, 40, "order"),
        )

    def test_line_invoicing_several_order_lines(self):
        """An invoice line that invoices two order lines (1 dozen recorded
        at a cost of 72, 3 dozen at 60) is costed at their mean weighted
        by the quantities ordered, 63 a dozen: 4 dozen, COGS 252."""
        dozen = self.env.ref("uom.product_uom_dozen")
        bolt = (
            self.env["product.product"]
            .with_company(self.company)
            .create({"name": "Bolt", "standard_price": 5})
        )
        epsilon = self.customer("Epsilon", user_id=self.salesman.id)
        order = self.sale_order(epsilon, bolt, 1, 3, uom=dozen)
        order.order_line[0].purchase_price = 72
        order.action_confirm()
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": epsilon.id,
                "invoice_date": date(2025, 6, 3),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": bolt.id,
                            "product_uom_id": dozen.id,
                            "quantity": 4,
                            "price_unit": 100,
                            "tax_ids": [Command.clear()],
                            "sale_line_ids": [Command.set(order.order_line.ids)],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        [row] = (
            self.env[REPORT]
            .with_context(allowed_company_ids=self.company.ids)
            .search([("partner_id", "=", epsilon.id)])
        )
        self.assertEqual(
            (row.revenue, round(row.cogs_order, 2), row.cogs_source),
            (400, 252, "order"),
        )

    def test_cost_booked_by_stock_valuation(self):
        """With Inventory's automated valuation and Anglo-Saxon accounting,
        the invoice books the cost of the goods it sells: Zeta's 3 pumps,
        ordered at a recorded cost of 35 and booked at the pump's cost of 30
        (COGS 90), stay at 30 after the pump is revalued at 45; the credit
        note for one pump, booked at the valuation of its day, takes 45
        back."""
        if "cogs_origin_id" not in self.env["account.move.line"]._fields:
            self.skipTest("needs stock_account (make test installs it)")
        self.company.anglo_saxon_accounting = True
        stock_out = self.env["account.account"].create(
            {
                "name": "Stock Interim (Delivered)",
                "code": "STOCKOUT",
                "account_type": "asset_current",
                "reconcile": True,
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        category = (
            self.env["product.category"]
            .with_company(self.company)
            .create(
                {
                    "name": "Pumps",
                    "property_valuation": "real_time",
                    "property_stock_account_output_categ_id": stock_out.id,
                    "property_account_expense_categ_id": self.company_data[
                        "default_account_expense"
                    ].id,
                }
            )
        )
        pump = (
            self.env["product.product"]
            .with_company(self.company)
            .create(
                {
                    "name": "Pump",
                    "is_storable": True,
                    "categ_id": category.id,
                    "standard_price": 30,
                }
            )
        )
        zeta = self.customer("Zeta", user_id=self.salesman.id)
        order = self.sale_order(zeta, pump, 3)
        order.order_line.purchase_price = 35
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = date(2025, 6, 3)
        invoice.action_post()
        self.assertEqual(
            sorted(
                invoice.line_ids.filtered(
                    lambda line: line.display_type == "cogs"
                ).mapped("balance")
            ),
            [-90, 90],
        )
        pump.with_company(self.company).standard_price = 45

        def row():
            [row] = (
                self.env[REPORT]
                .with_context(allowed_company_ids=self.company.ids)
                .search([("partner_id", "=", zeta.id)])
            )
            return (
                row.revenue,
                round(row.cogs_stock, 2),
                round(row.cogs_order, 2),
                round(row.cogs_cost, 2),
                round(row.gross_margin, 2),
                row.cogs_source,
            )

        self.assertEqual(row(), (300, 90, 0, 0, 210, "stock"))
        refund = invoice._reverse_moves(
            [{"invoice_date": date(2025, 6, 20), "date": date(2025, 6, 20)}]
        )
        refund.invoice_line_ids.quantity = 1
        refund.action_post()
        self.assertEqual(
            sorted(
                refund.line_ids.filtered(
                    lambda line: line.display_type == "cogs"
                ).mapped("balance")
            ),
            [-45, 45],
        )
        self.env.invalidate_all()
        self.assertEqual(row(), (200, 45, 0, 0, 155, "stock"))

    def test_upgrade_translates_the_changed_labels(self):
        """Upgrade from 18.0.1.6.0: the labels and help texts whose English
        changed lose their old Chinese, so that the update loads the new."""
        self.env["res.lang"]._activate_lang("zh_CN")
        field = self.env["ir.model.fields"]._get("crm.clv.report", "margin_source")
        selection = field.selection_ids.filtered(lambda s: s.value == "cost")
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """UPDATE ir_model_fields
                      SET help = help || '{"zh_CN": "旧的说明"}'::jsonb,
                          field_description = field_description
                              || '{"zh_CN": "我的标签"}'::jsonb
                    WHERE id = %s;
                   UPDATE ir_model_fields_selection
                      SET name = name || '{"zh_CN": "销售订单或产品成本"}'::jsonb
                    WHERE id = %s""",
                field.id,
                selection.id,
            )
        )
        self.run_migration("18.0.1.7.0/post-migration.py", "18.0.1.6.0")
        self.env["ir.module.module"]._load_module_terms(["crm_analytics"], ["zh_CN"])
        self.env.invalidate_all()
        self.assertEqual(selection.with_context(lang="zh_CN").name, "已记录成本")
        self.assertTrue(
            field.with_context(lang="zh_CN").help.startswith(
                "发票行有成本时，取发票按存货计价入账的成本"
            )
        )
        # an unchanged label keeps its translation, even a custom one
        self.assertEqual(field.with_context(lang="zh_CN").field_description, "我的标签")

    def test_pivot_totals(self):
        """The pivot's total line and its columns: sums, and the margin %
        of the sums (285 / 550), not the mean of the rows' 60, 30 and 50."""
        [(total)] = self.grouped([]).values()
        self.assertEqual(
            total,
            {
                "revenue": 550,
                "cogs_stock": 0,
                "cogs_order": 0,
                "cogs_cost": 160,
                "cogs_estimated": 105,
                "cogs": 265,
                "gross_margin": 285,
                "margin_percent": round(100 * 285 / 550, 2),
                "case_count": 2,
                "case_cost": 65,
                "activity_count": 3,
                "activity_cost": 30,
                "allocated_cost": 200,
                "cost_to_serve": 295,
                "contribution": -10,
            },
        )
        # Alpha over March and April: 450 revenue, 255 margin (56.67 %)
        per_customer = self.grouped(["partner_id"])
        self.assertEqual(
            (
                per_customer[self.alpha.id,]["revenue"],
                per_customer[self.alpha.id,]["gross_margin"],
                per_customer[self.alpha.id,]["margin_percent"],
                per_customer[self.alpha.id,]["contribution"],
            ),
            (450, 255, 56.67, 65),
        )
        # a window: March only
        [(march)] = self.grouped(
            [], domain=[("month", ">=", MARCH), ("month", "<", APRIL)]
        ).values()
        self.assertEqual(
            (march["revenue"], march["gross_margin"], march["margin_percent"]),
            (400, 210, 52.5),
        )
        # the web client's read_group, as the pivot asks it
        [group] = (
            self.env[REPORT]
            .with_context(allowed_company_ids=self.company.ids)
            .read_group(
                [("partner_id", "in", (self.alpha | self.beta).ids)],
                ["revenue:sum", "margin_percent:sum", "contribution:sum"],
                [],
            )
        )
        self.assertEqual(
            (
                group["revenue"],
                round(group["margin_percent"], 2),
                group["contribution"],
            ),
            (550, 51.82, -10),
        )

    def test_value_destroyers(self):
        rows = self.grouped(["partner_id"], domain=[("contribution", "<", 0)])
        self.assertEqual(list(rows), [(self.beta.id,)])
        self.assertEqual(rows[self.beta.id,]["contribution"], -75)

    def test_crm_costs_allocated_by_revenue_share(self):
        """The CRM costs of a month go to that month's customers in
        proportion to their revenue, all of them (the company's every
        customer of March): a month without revenue allocates nothing."""
        rows = self.grouped(
            ["month:month"], domain=[], measures=["allocated_cost:sum", "revenue:sum"]
        )
        self.assertEqual(rows[MARCH,], {"allocated_cost": 200, "revenue": 400})
        self.assertFalse(
            self.env[REPORT]
            .with_context(allowed_company_ids=self.company.ids)
            .search_count([("month", "=", date(2025, 5, 1))])
        )

    def test_own_customers(self):
        """Sally, limited to her own documents, reads Alpha, not Beta (the
        colleague's); the colleague the reverse; a manager both."""
        self.assertEqual(
            set(self.grouped(["partner_id"], user=self.salesman)), {(self.alpha.id,)}
        )
        self.assertEqual(
            set(self.grouped(["partner_id"], user=self.colleague)), {(self.beta.id,)}
        )
        self.assertEqual(
            set(self.grouped(["partner_id"], user=self.all_docs)),
            {(self.alpha.id,), (self.beta.id,)},
        )
        # Beta's share of the CRM costs stays 25 % for the colleague
        self.assertEqual(
            self.grouped([], user=self.colleague)[()]["allocated_cost"], 50
        )
        # another company's users read none of it
        self.assertFalse(
            self.env[REPORT]
            .with_user(self.user_company_b)
            .with_context(allowed_company_ids=self.company_b.ids)
            .search([("partner_id", "in", (self.alpha | self.beta).ids)])
        )

    def test_settings_bounds(self):
        with self.assertRaises(ValidationError):
            self.company.crm_cost_per_complaint = -1
        with self.assertRaises(ValidationError):
            self.call.with_company(self.company).crm_cost = -5

    def test_row_ids_stay(self):
        """A row's id is its key (company, month, customer): the rows
        before stay when a customer buys in an earlier month."""
        Report = self.env[REPORT].with_context(allowed_company_ids=self.company.ids)

        def ids_by_key():
            rows = Report.search([]).read(["company_id", "month", "partner_id"])
            ids = [row["id"] for row in rows]
            self.assertEqual(len(set(ids)), len(ids))
            return {
                (row["company_id"][0], row["month"], row["partner_id"][0]): row["id"]
                for row in rows
            }

        before = ids_by_key()
        newcomer = self.customer("Newcomer")
        self.post_invoices([(newcomer, date(2020, 1, 15), 100)])
        after = ids_by_key()
        self.assertEqual(len(after), len(before) + 1)
        self.assertEqual({key: after[key] for key in before}, before)
