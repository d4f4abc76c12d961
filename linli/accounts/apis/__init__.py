from __future__ import annotations

from ninja import Router

from linli.accounts.apis import api_tokens, users

router = Router(tags=["账号"])
router.add_router("", api_tokens.router)
router.add_router("", users.router)
