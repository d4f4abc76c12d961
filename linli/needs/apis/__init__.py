"""The app's /api/v1/ router, assembled from the noun routers."""

from __future__ import annotations

from ninja import Router

from linli.needs.apis import indicators, requests, typical_cases

router = Router()
# /requests/typical and /requests/indicators before /requests/{request_id}, which would take them.
router.add_router("", typical_cases.router)
router.add_router("", indicators.router)
router.add_router("", requests.router)
