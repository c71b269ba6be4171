"""Standing lists (常态化清单) and the household card (户卡), included by ybss/web/urls.py.

``standing_patterns`` go under ``lists/`` (namespace ``web:standing``); ``card_patterns`` sit
beside the other house URLs (``houses/<pk>/card/``, ``web:house_card``; its PDF ``houses/<pk>/card.pdf``).
"""

from __future__ import annotations

from django.urls import path

from .views import standing

standing_patterns = [
    path("", standing.index, name="lists_index"),
    path("<slug:code>/", standing.standing_list, name="standing_list"),
    path("<slug:code>/export/", standing.standing_export, name="standing_export"),
]

card_patterns = [
    path("houses/<int:pk>/card/", standing.house_card, name="house_card"),
    path("houses/<int:pk>/card.pdf", standing.house_card_pdf, name="house_card_pdf"),
]
