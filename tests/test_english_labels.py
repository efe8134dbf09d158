"""The English interface of the three addons reads English: no Chinese gloss
in a field's label or help, a selection's label, a view or an action's help.
The Chinese terms belong to the zh_CN translation and the documentation."""

import re

from odoo.tests import TransactionCase, tagged
from odoo.tools.mail import html_to_inner_content
from odoo.tools.translate import xml_translate

ADDONS = ("crm_lifecycle", "crm_satisfaction", "crm_analytics")
CHINESE = re.compile("[\u4e00-\u9fff]")


@tagged("post_install", "-at_install")
class TestEnglishLabels(TransactionCase):
    def records_of(self, model):
        """The addons' own records of ``model``, read in English."""
        ids = (
            self.env["ir.model.data"]
            .search([("module", "in", ADDONS), ("model", "=", model)])
            .mapped("res_id")
        )
        return self.env[model].with_context(lang="en_US").browse(ids).exists()

    def chinese_in(self, model, names):
        return [
            f"{model} {record.display_name!r}.{name}: {record[name]}"
            for record in self.records_of(model)
            for name in names
            if record[name] and CHINESE.search(str(record[name]))
        ]

    def test_no_chinese_in_english_labels(self):
        found = (
            self.chinese_in("ir.model.fields", ["field_description", "help"])
            + self.chinese_in("ir.model.fields.selection", ["name"])
            + self.chinese_in("ir.model", ["name"])
            + self.chinese_in("ir.ui.view", ["arch_db"])
            + self.chinese_in("ir.actions.act_window", ["name", "help"])
            + self.chinese_in("ir.ui.menu", ["name"])
        )
        self.assertFalse(found, "\n".join(found))
        # the check reads something: the addons' labels are there
        self.assertGreater(len(self.records_of("ir.model.fields")), 100)


# Terms that read the same in both languages: the indices' names, units.
SAME_IN_CHINESE = re.compile(
    r"^[\s\d%().,:/×→·+\-]*"
    r"((ID|CSI|CSAT|NPS|CES|RFM|ROI|CLV|Kano|SLA|VIP|R|F|M|A|O|I|Q|C = b / a)"
    r"[\s\d%().,:/×→·+\-]*)*$"
)
LATIN_WORD = re.compile("[A-Za-z]{2,}")


@tagged("post_install", "-at_install")
class TestChineseLabels(TransactionCase):
    """The Chinese interface of the three addons reads Chinese: every label,
    help, selection, menu, action and view text of their own is translated
    (terms such as CSI or NPS excepted)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(list(ADDONS), ["zh_CN"])

    def records_of(self, model):
        ids = (
            self.env["ir.model.data"]
            .search([("module", "in", ADDONS), ("model", "=", model)])
            .mapped("res_id")
        )
        return self.env[model].with_context(lang="zh_CN").browse(ids).exists()

    @staticmethod
    def untranslated(text):
        """English words and no Chinese: left in English."""
        return (
            bool(LATIN_WORD.search(text))
            and not CHINESE.search(text)
            and not SAME_IN_CHINESE.match(text)
        )

    def english_in(self, model, names):
        return [
            f"{model} {record.display_name!r}.{name}: {record[name]}"
            for record in self.records_of(model)
            for name in names
            if record[name] and self.untranslated(str(record[name]))
        ]

    def english_in_views(self):
        found = []
        for view in self.records_of("ir.ui.view"):
            terms = []
            xml_translate(terms.append, view.arch_db)
            found += [
                f"view {view.xml_id}: {term}"
                for term in terms
                if self.untranslated(html_to_inner_content(term))
            ]
        return found

    def test_no_english_in_chinese_labels(self):
        found = (
            self.english_in("ir.model.fields", ["field_description"])
            + self.english_in("ir.model.fields.selection", ["name"])
            + self.english_in("ir.actions.act_window", ["name"])
            + self.english_in("ir.ui.menu", ["name"])
            + self.english_in_views()
        )
        self.assertFalse(found, "\n".join(found))
        self.assertGreater(len(self.records_of("ir.ui.view")), 50)
