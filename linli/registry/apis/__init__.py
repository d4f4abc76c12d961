"""The /api/v1/ registry endpoints: scoped and masked like the pages; an ID number only in a POST body."""

from __future__ import annotations

from ninja import Router

from linli.registry.apis import addresses, businesses, housing, imports, residents

router = Router()
router.add_router("", residents.router)
router.add_router("", addresses.router)
router.add_router("", housing.router)
router.add_router("", businesses.router)
router.add_router("", imports.router)
