"""Layout speed: queue ticket data to ESC/POS bytes, and the authorisation form to PDF, median of 50 each.

Prints ticket_ms (a Latvian ticket, goal <= 50 ms), ticket_uk_ms (Ukrainian, so most lines are pictures),
receipt_ms and authorisation_ms. No printer and no display needed: `.venv/bin/python bench/printing_layouts.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from printers.forms import AuthorisationData, authorisation_form  # noqa: E402
from printers.layouts import ReceiptData, TicketData, TicketLabels, queue_ticket, receipt  # noqa: E402

RUNS = 50
WHEN = datetime(2025, 11, 23, 11, 38)
CENTRE = "Valsts un pašvaldības vienotais klientu apkalpošanas centrs, Rīga"
TICKET = TicketData(centre_name=CENTRE, number="A-042", service_name="Slimības pabalsts", issued_at=WHEN,
                    follow_url="https://rinda.example.lv/q/riga/A-042", people_ahead=3, expected_wait_min=12)
TICKET_UK = TicketData(
    centre_name=TICKET.centre_name, number="A-042", service_name="Допомога у зв’язку з хворобою", issued_at=WHEN,
    follow_url=TICKET.follow_url, people_ahead=3, expected_wait_min=12,
    labels=TicketLabels(people_ahead="Перед вами: {count}", expected_wait="Очікування: близько {minutes} хв",
                        where_to_go="Чекайте свій номер на екрані", follow_hint="Скануйте, щоб стежити за чергою",
                        instruction="Зберігайте талон, доки вас не викличуть"))
RECEIPT = ReceiptData(centre_name=TICKET.centre_name, what_was_done="Iesniegts pieteikums: Slimības pabalsts",
                      reference="VSAA-2025-000123", done_at=WHEN, link_url="https://www.latvija.gov.lv/")
AUTHORISATION = AuthorisationData(
    service_name="Slimības pabalsts", institution="Valsts sociālās apdrošināšanas aģentūra", centre_name="Demo KAC",
    centre_address="Brīvības iela 1, Rīga", issued_at=WHEN, language="uk", given_name="Jānis", surname="Bērziņš",
    personal_code="010180-12345")


def median_ms(build) -> float:
    """Median wall time of RUNS calls, in milliseconds (the first call, which loads fonts, included)."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        build()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    print(f"ticket_ms={median_ms(lambda: queue_ticket(TICKET)):.2f}")
    print(f"ticket_uk_ms={median_ms(lambda: queue_ticket(TICKET_UK)):.2f}")
    print(f"receipt_ms={median_ms(lambda: receipt(RECEIPT)):.2f}")
    print(f"authorisation_ms={median_ms(lambda: authorisation_form(AUTHORISATION)):.2f}")


if __name__ == "__main__":
    main()
