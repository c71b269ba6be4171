"""Sign-in and sign-out. Both are audited by ``web.signals``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .common import not_scoped


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong user name or password. Both are case-sensitive."),
        "inactive": _("This account has been disabled. Ask the county admin."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocomplete": "username", "spellcheck": "false"}
        )
        self.fields["password"].label = _("Password")
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})


login = not_scoped("sign-in page: no business data")(
    auth_views.LoginView.as_view(
        template_name="web/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
        extra_context={"title": _("Sign in")},
    )
)

logout = not_scoped("sign-out (POST only): no business data")(auth_views.LogoutView.as_view())
