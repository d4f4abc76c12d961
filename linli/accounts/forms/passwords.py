from __future__ import annotations

from django import forms


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原口令", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label="新口令", strip=False, widget=forms.PasswordInput)
    new_password_again = forms.CharField(label="再输一次新口令", strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "两次输入的新口令不一致")
        return data
