"""The A4 forms' wording: Latvian (the legal text) and the English and Ukrainian shown beneath it in small type."""

from __future__ import annotations

# Each entry: (Latvian, English, Ukrainian). Latvian is what the form says; the resident's language only helps
# them read it, so a missing translation would never change what is signed.
LABELS: dict[str, tuple[str, str, str]] = {
    # Authorisation form
    "authorisation_title": ("PILNVAROJUMS", "Authorisation", "Доручення"),
    "authorisation_subtitle": (
        "e-pakalpojuma pieteikšanai klientu apkalpošanas centrā",
        "to apply for an e-service at the customer service centre",
        "на замовлення електронної послуги в центрі обслуговування клієнтів",
    ),
    "date": ("Datums", "Date", "Дата"),
    "resident": ("Pilnvarotājs (iedzīvotājs)", "Person giving the authorisation (resident)",
                 "Довіритель (мешканець)"),
    "given_name": ("Vārds", "Given name", "Ім’я"),
    "surname": ("Uzvārds", "Surname", "Прізвище"),
    "personal_code": ("Personas kods", "Personal code", "Персональний код"),
    "e_service": ("E-pakalpojums", "E-service", "Електронна послуга"),
    "service": ("Pakalpojums", "Service", "Послуга"),
    "institution": ("Iestāde", "Institution", "Установа"),
    "authorised": ("Pilnvarotais (klientu apkalpošanas centrs)", "Authorised party (customer service centre)",
                   "Повірений (центр обслуговування клієнтів)"),
    "centre_name": ("Nosaukums", "Name", "Назва"),
    "address": ("Adrese", "Address", "Адреса"),
    "statement": ("Pilnvarojuma saturs", "What you authorise", "Зміст доручення"),
    "translation_note": (
        "",
        "Translation for your information; the Latvian text above is the one that applies.",
        "Переклад для довідки; юридичну силу має наведений вище текст латиською мовою.",
    ),
    "signatures": ("Paraksti", "Signatures", "Підписи"),
    "resident_signs": ("Pilnvarotājs", "Resident", "Довіритель"),
    "staff_signs": ("Centra darbinieks", "Staff member", "Працівник центру"),
    "name_surname": ("Vārds, uzvārds", "Name, surname", "Ім’я, прізвище"),
    "signature": ("Paraksts", "Signature", "Підпис"),
    # Paper application form
    "application_title": ("IESNIEGUMS", "Application", "Заява"),
    "to_institution": ("Iestādei", "To the institution", "До установи"),
    "regarding": ("Par pakalpojumu", "Regarding the service", "Щодо послуги"),
    "applicant": ("Iesniedzējs", "Applicant", "Заявник"),
    "phone_email": ("Tālrunis, e-pasts", "Phone, e-mail", "Телефон, ел. пошта"),
    "request": ("Iesnieguma saturs", "Your request", "Зміст заяви"),
    "answer": ("Atbildi vēlos saņemt", "I would like the answer", "Відповідь прошу надіслати"),
    "by_post": ("pa pastu uz norādīto adresi", "by post to the address above", "поштою на зазначену адресу"),
    "by_email": ("uz norādīto e-pasta adresi", "by e-mail to the address above",
                 "на зазначену електронну пошту"),
    "printed_at": ("Izdrukāts", "Printed at", "Надруковано"),
}

# The authorisation itself, one paragraph per entry; {who}, {centre}, {service}, {institution} and
# {date} are filled in by the form.
STATEMENT: dict[str, tuple[str, ...]] = {
    "lv": (
        "Es, {who}, pilnvaroju {centre} darbinieku manā vārdā pieteikt e-pakalpojumu “{service}” "
        "({institution}) un iesniegt manis sniegtās ziņas un dokumentus.",
        "Apliecinu, ka sniegtās ziņas ir patiesas un ka pirms iesniegšanas esmu iepazinies(-usies) ar "
        "pieteikuma saturu. Pilnvarojums ir spēkā {date} tikai šī e-pakalpojuma pieteikšanai. Darbinieks manus "
        "personas datus izmanto tikai šim nolūkam.",
    ),
    "en": (
        "I, {who}, authorise a member of staff of {centre} to apply on my behalf for the e-service "
        "“{service}” ({institution}) and to submit the information and documents I have provided.",
        "I confirm that the information I have provided is true and that I have seen the content of the "
        "application before it is submitted. This authorisation is valid on {date} and only for applying for "
        "this e-service. The staff member uses my personal data for this purpose only.",
    ),
    "uk": (
        "Я, {who}, доручаю працівнику {centre} від мого імені замовити електронну послугу "
        "«{service}» ({institution}) і передати надані мною відомості та документи.",
        "Підтверджую, що надані мною відомості є правдивими і що перед поданням я ознайомився(-лася) зі "
        "змістом заяви. Доручення дійсне {date} лише для замовлення цієї електронної послуги. Працівник "
        "використовує мої персональні дані лише з цією метою.",
    ),
}

# How the statement names the resident: with the personal code when known, or by pointing at the fields above
# (left blank to fill in by hand) so the sentence never holds a half-empty name.
WHO_WITH_CODE = {"lv": "{name}, personas kods {code}", "en": "{name}, personal code {code}",
                 "uk": "{name}, персональний код {code}"}
WHO_UNNAMED = {"lv": "augstāk norādītā persona", "en": "the person named above", "uk": "зазначена вище особа"}

LANGUAGES = ("lv", "en", "uk")


def latvian(key: str) -> str:
    """The Latvian text of a label."""
    return LABELS[key][0]


def bilingual(key: str, language: str) -> str:
    """"Latvian / translation" on one line, for small labels; just the Latvian when the resident reads Latvian."""
    helper = local(key, language)
    return f"{latvian(key)} / {helper}" if helper else latvian(key)


def local(key: str, language: str) -> str | None:
    """The label in the resident's language when that is English or Ukrainian, else None (Latvian only)."""
    if language == "lv":
        return None
    return LABELS[key][LANGUAGES.index(language)]
