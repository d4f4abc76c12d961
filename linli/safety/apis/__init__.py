from __future__ import annotations

from ninja import Router

from linli.safety.apis import disputes, hazards

router = Router(tags=["矛盾纠纷和隐患"])
router.add_router("", disputes.router)
router.add_router("", hazards.router)
