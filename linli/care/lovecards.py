# Transitional re-exports for importers outside linli.care; removed when they import the noun modules.
from linli.care.services.love_cards import love_card_issue, qr_svg

__all__ = ["love_card_issue", "qr_svg"]
