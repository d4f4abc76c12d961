# Transitional re-exports for importers outside linli.accounts; removed when they import the noun modules.
from linli.accounts.views.api_tokens import token_revoke, tokens
from linli.accounts.views.passwords import password_change
from linli.accounts.views.sessions import LoginView, home
from linli.accounts.views.two_factor import otp_setup, otp_verify, recovery_codes_renew
from linli.accounts.views.users import account, security, security_action

__all__ = [
    "LoginView",
    "account",
    "home",
    "otp_setup",
    "otp_verify",
    "password_change",
    "recovery_codes_renew",
    "security",
    "security_action",
    "token_revoke",
    "tokens",
]
