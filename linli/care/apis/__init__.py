"""The /api/v1/ care endpoints, assembled from the noun routers."""

from __future__ import annotations

from ninja import Router

from linli.care.apis import contacts, key_persons, love_cards, sweeps, worklists

router = Router(tags=["困难群体关爱"])
router.add_router("", key_persons.router)
router.add_router("", contacts.router)
router.add_router("", worklists.router)
router.add_router("", sweeps.router)
router.add_router("", love_cards.router)
