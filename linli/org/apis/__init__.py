from __future__ import annotations

from ninja import Router

from linli.org.apis import departments, units

router = Router(tags=["组织与网格"])
router.add_router("", units.router)
router.add_router("", departments.router)
