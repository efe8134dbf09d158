import math
import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

# Names of the generated customers: every prefix with every trade, shuffled
# by a fixed seed (none of them is a named demo customer).
NAME_PREFIXES = [
    "Acorn",
    "Alder",
    "Amber",
    "Anchor",
    "Apex",
    "Aspen",
    "Atlas",
    "Beacon",
    "Birch",
    "Blue Heron",
    "Bright Path",
    "Cedar",
    "Clearwater",
    "Cobalt",
    "Copper",
    "Coral",
    "Crescent",
    "Crystal",
    "Delta",
    "Eastgate",
    "Elm",
    "Falcon",
    "Fern",
    "Golden Gate",
    "Granite",
    "Greenfield",
    "Harvest",
    "Hillside",
    "Horizon",
    "Ivy",
    "Juniper",
    "Keystone",
    "Lakeside",
]
NAME_TRADES = [
    "Architects",
    "Bakery",
    "Builders",
    "Consulting",
    "Dental Care",
    "Foods",
    "Hotel",
    "Insurance",
    "Law Office",
    "Pharmacy",
    "Printing",
    "Realty",
    "School",
    "Studio",
    "Veterinary",
]


class CrmLifecycleDemo(models.AbstractModel):
    """Demo data generated at install: a few hundred customers with three
    years of invoices, then a lifecycle history consistent in time."""

    _name = "crm.lifecycle.demo"
    _description = "CRM Lifecycle Demo Data"

    @api.model
    def _generate_customers(self, product_ids, count=220, seed=2026):
        """Create ``count`` companies buying ``product_ids`` (their sale
        price, a few units an invoice) over up to three years before today,
        and post their invoices oldest first. The same seed gives the same
        customers and documents, dated relative to today.

        Each customer has a first purchase (more of them lately: the
        business grows), a size (log-normal: a few large customers make
        most of the revenue), a buying rhythm, a trend of its spending, and
        maybe an end (it stops buying; a few come back more than a year
        later)."""
        rng = random.Random(seed)
        today = fields.Date.context_today(self)
        products = self.env["product.product"].browse(product_ids)
        users = [self.env.ref("base.user_admin"), self.env.ref("base.user_demo")]
        names = [
            f"{prefix} {trade}" for prefix in NAME_PREFIXES for trade in NAME_TRADES
        ]
        rng.shuffle(names)
        names = names[:count]
        partners = (
            self.env["res.partner"]
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create(
                [
                    {
                        "name": name,
                        "is_company": True,
                        "email": "contact@{}.example.com".format(
                            name.lower().replace(" ", "-")
                        ),
                        "user_id": users[index % 2].id,
                        "customer_rank": 1,
                    }
                    for index, name in enumerate(names)
                ]
            )
        )
        # named like the other demo records, for the other apps' demo data
        self.env["ir.model.data"].create(
            [
                {
                    "module": "crm_lifecycle",
                    "name": f"demo_customer_{index:03d}",
                    "model": "res.partner",
                    "res_id": partner.id,
                    "noupdate": True,
                }
                for index, partner in enumerate(partners, start=1)
            ]
        )
        invoices = [
            (today - timedelta(days=day), partner, users[index % 2], lines)
            for index, partner in enumerate(partners)
            for day, lines in self._plan_purchases(rng, products.ids)
        ]
        invoices.sort(key=lambda invoice: invoice[0])
        prices = {product.id: product.lst_price for product in products}
        moves = (
            self.env["account.move"]
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_user_id": user.id,
                        "invoice_date": date,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product_id,
                                    "quantity": quantity,
                                    "price_unit": prices[product_id],
                                }
                            )
                            for product_id, quantity in lines
                        ],
                    }
                    for date, partner, user, lines in invoices
                ]
            )
        )
        # posted oldest first, so that invoice numbers follow the dates; no
        # follow-up for stages the replay of the history rewrites
        playbooks = self.env["crm.lifecycle.playbook"].search([])
        playbooks.active = False
        moves.action_post()
        playbooks.active = True
        return partners

    @api.model
    def _plan_purchases(self, rng, product_ids):
        """A customer's purchases drawn from ``rng``: [(days before today,
        [(product id, units)])], oldest first."""
        # half were customers when the books begin, the others came since:
        # days before today of the first purchase
        if rng.random() < 0.5:
            first = 1095 - rng.randint(0, 60)
        else:
            first = rng.randint(0, 1035)
        # units an invoice: a few large customers, many small ones
        size = math.exp(rng.gauss(math.log(8), 0.9))
        interval = rng.uniform(30, 100)
        # most buy steadily, some more and more, some less and less
        kind = rng.random()
        if kind < 0.7:
            trend = rng.uniform(-0.06, 0.06)
        elif kind < 0.85:
            trend = rng.uniform(0.2, 0.6)
        else:
            trend = rng.uniform(-0.5, -0.2)
        end = None
        if rng.random() < 0.45:
            end = first - int(rng.expovariate(1 / 400))
        comeback = end is not None and rng.random() < 0.25
        purchases = []
        day = first
        while day >= 0:
            if end is not None and day < end:
                if not comeback:
                    break
                # back after more than a year without a purchase
                day = end - rng.randint(380, 520)
                end = comeback = None
                if day < 0:
                    break
            years = (first - day) / 365
            quantity = max(1, round(size * (1 + trend) ** years))
            # the units on one product, or split over two
            lines = [(rng.choice(product_ids), quantity)]
            if quantity > 1 and rng.random() < 0.5:
                first_product, second_product = rng.sample(product_ids, 2)
                lines = [
                    (first_product, quantity - quantity // 2),
                    (second_product, quantity // 2),
                ]
            purchases.append((day, lines))
            day -= max(7, int(rng.gauss(interval, interval / 10)))
        return purchases

    @api.model
    def _replay_history(self, months=36, follow_up_days=30):
        """Evaluate every customer once a month from ``months`` ago until
        today, oldest first: the lifecycle history (and, with the value
        tiers, the snapshots) reads as the customers lived it, instead of
        the stages of today followed by evaluations of past dates.

        For the demo database only: the profiles and their history are
        rebuilt from the documents. The playbooks stay quiet meanwhile (no
        follow-up for a customer who was new two years ago); those of the
        stage changes of the last ``follow_up_days`` days then fire (none
        with 0)."""
        today = fields.Date.context_today(self)
        Profile = self.env["crm.customer.profile"]
        Playbook = self.env["crm.lifecycle.playbook"]
        playbooks = Playbook.search([])
        playbooks.active = False
        self.env.flush_all()
        self.env.execute_query(SQL("DELETE FROM crm_customer_refresh"))
        self.env.execute_query(SQL("DELETE FROM crm_customer_profile"))
        self.env.invalidate_all()
        for month in range(months, 0, -1):
            self._replay_evaluate(today - relativedelta(months=month))
        Profile.recompute()
        playbooks.active = True
        if follow_up_days:
            Playbook._run_for_histories(
                self.env["crm.lifecycle.history"].search(
                    [("date", ">", today - timedelta(days=follow_up_days))]
                )
            )

    @api.model
    def _replay_evaluate(self, date):
        """Evaluate as of ``date`` the customers of that day: not those whose
        first invoice is later (flagged as customers by that invoice, they
        would be prospects until then)."""
        self.env.flush_all()
        partner_ids = [
            partner_id
            for (partner_id,) in self.env.execute_query(
                SQL(
                    """
                    SELECT p.id FROM res_partner p
                     WHERE p.id = p.commercial_partner_id
                       AND p.id NOT IN (
                           SELECT commercial_partner_id FROM account_move
                            WHERE state = 'posted'
                              AND move_type IN ('out_invoice', 'out_refund')
                         GROUP BY commercial_partner_id
                           HAVING min(invoice_date) > %s)
                    """,
                    date,
                )
            )
        ]
        self.env["crm.customer.profile"].recompute(date, partner_ids)
