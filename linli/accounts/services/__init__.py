# Transitional re-exports for importers outside linli.accounts; removed when they import the noun modules.
from linli.accounts.services.api_tokens import api_token_issue, api_token_user

__all__ = ["api_token_issue", "api_token_user"]
