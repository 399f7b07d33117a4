"""The words of the contribution page, in English and Persian.

The field names and their descriptions come from the schemas, which are in English; what
is here is the page around them.
"""

from __future__ import annotations

LANGUAGES = ("en", "fa")
DIRECTION = {"en": "ltr", "fa": "rtl"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Contribute a record",
        "other_language": "فارسی",
        "intro": (
            "Fill in a record, check it against the dataset's schemas and its records, and get "
            "the file to add to the dataset in a pull request. Nothing you enter is stored: "
            "this page only checks the record and gives it back to you."
        ),
        "choose_kind": "What do you want to add?",
        "kind": "Kind of record",
        "show_form": "Show the form",
        "rules": (
            "Every contested fact is a claim, attributed to whoever makes it. A quote holds "
            "only words you saw on the cited page. CONTRIBUTING.md in the repository gives "
            "the rules, how to propose a correction, and how a person named in a claim can "
            "reply."
        ),
        "form_for": "A new {kind}",
        "required": "required",
        "id_hint": "Left blank, it is made from the name.",
        "check": "Check the record",
        "add_row_hint": "Fill in the blank row and check the record to get another one.",
        "lines_hint": "One per line.",
        "errors_heading": "The record has {n} problem(s)",
        "record_errors": "About the record as a whole:",
        "valid_heading": "The record is valid",
        "valid_intro": "Save it as {path} in your copy of the repository, then open a pull request:",
        "download": "Download {path}",
        "step_fork": "Fork the repository and create a branch.",
        "step_save": "Add the file at {path}.",
        "step_validate": "Run: python -m chalicelib validate {path}",
        "step_pr": "Open a pull request, and say in it where you read each quote.",
        "json_label": "The record as JSON, to copy",
        "warnings_heading": "Warnings",
        "change_kind": "Choose another kind",
    },
    "fa": {
        "title": "افزودن یک رکورد",
        "other_language": "English",
        "intro": (
            "رکوردی را پر کنید، آن را با schemaها و رکوردهای مجموعه‌داده بسنجید، و فایلی را "
            "بگیرید که باید در یک درخواست ادغام (pull request) به مجموعه‌داده افزوده شود. "
            "چیزی از آنچه وارد می‌کنید ذخیره نمی‌شود: این صفحه فقط رکورد را بررسی می‌کند و آن را "
            "به شما برمی‌گرداند."
        ),
        "choose_kind": "چه چیزی می‌خواهید بیفزایید؟",
        "kind": "نوع رکورد",
        "show_form": "نمایش فرم",
        "rules": (
            "هر واقعیت مورد مناقشه یک ادعا (claim) است و به گویندهٔ آن نسبت داده می‌شود. "
            "نقل‌قول فقط کلماتی است که خودتان در صفحهٔ مورد استناد دیده‌اید. فایل "
            "CONTRIBUTING.fa.md در مخزن قواعد، شیوهٔ پیشنهاد اصلاح، و حق پاسخ کسی را که در "
            "ادعایی نام برده شده توضیح می‌دهد."
        ),
        "form_for": "یک {kind} تازه",
        "required": "الزامی",
        "id_hint": "اگر خالی بماند، از نام ساخته می‌شود.",
        "check": "بررسی رکورد",
        "add_row_hint": "سطر خالی را پر کنید و رکورد را بررسی کنید تا سطر دیگری اضافه شود.",
        "lines_hint": "هر مورد در یک سطر.",
        "errors_heading": "رکورد {n} مشکل دارد",
        "record_errors": "دربارهٔ کل رکورد:",
        "valid_heading": "رکورد معتبر است",
        "valid_intro": "آن را با نام {path} در نسخهٔ خود از مخزن ذخیره کنید و سپس یک درخواست ادغام باز کنید:",
        "download": "دریافت {path}",
        "step_fork": "مخزن را fork کنید و یک شاخه (branch) بسازید.",
        "step_save": "فایل را در {path} بیفزایید.",
        "step_validate": "این دستور را اجرا کنید: python -m chalicelib validate {path}",
        "step_pr": "یک درخواست ادغام باز کنید و در آن بنویسید هر نقل‌قول را کجا خوانده‌اید.",
        "json_label": "رکورد به صورت JSON، برای رونوشت",
        "warnings_heading": "هشدارها",
        "change_kind": "انتخاب نوع دیگر",
    },
}

# The kinds by their Persian names; English uses the schema's own name.
KIND_NAMES = {
    "fa": {
        "person": "شخص",
        "organization": "سازمان",
        "place": "مکان",
        "event": "رویداد",
        "source": "منبع",
        "claim": "ادعا",
    }
}


def kind_name(kind: str, lang: str) -> str:
    return KIND_NAMES.get(lang, {}).get(kind, kind)
