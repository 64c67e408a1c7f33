from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import PortalError
from core.redirects import redirect_target

from . import selectors, services
from .access import public, requires, signed_in
from .forms import ApiTokenForm, InviteUserForm, PreferencesForm, UserRolesForm
from .models import User
from .roles import Action


@requires(Action.MANAGE_USERS)
def user_list_view(request):
    return render(request, "partners/user_list.html", {"users": selectors.user_list()})


@requires(Action.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_invite_view(request):
    form = InviteUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_invite(
                partner=request.user.partner,
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                base_url=request.build_absolute_uri("/"),
            )
        except PortalError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("partners:user_list")
    return render(request, "partners/user_invite.html", {"form": form})


@requires(Action.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_detail_view(request, user_id: int):
    try:
        member = selectors.user_get(user_id=user_id)
    except PortalError as error:
        raise Http404(error.message) from error
    form = UserRolesForm(request.POST or None, initial={"roles": member.roles})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_roles_set(
                partner=request.user.partner,
                actor=request.user,
                user_id=member.pk,
                roles=form.cleaned_data["roles"],
            )
        except PortalError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Roles of %(email)s saved.") % {"email": member.email})
            return redirect("partners:user_list")
    return render(request, "partners/user_detail.html", {"member": member, "form": form})


@requires(Action.MANAGE_USERS)
@require_POST
def user_deactivate_view(request, user_id: int):
    try:
        member = services.user_deactivate(
            partner=request.user.partner, actor=request.user, user_id=user_id
        )
    except PortalError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(email)s can no longer sign in.") % {"email": member.email})
    return redirect("partners:user_list")


@signed_in
@require_http_methods(["GET", "POST"])
def api_token_list_view(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_issue(
                actor=request.user,
                name=form.cleaned_data["name"],
                days_valid=form.cleaned_data["days_valid"],
            )
        except PortalError as error:
            form.add_error(error.field, error.message)
        else:
            form = ApiTokenForm()
    tokens = selectors.api_token_list(user=request.user)
    return render(
        request,
        "partners/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@signed_in
@require_POST
def api_token_revoke_view(request, token_id: int):
    try:
        token = services.api_token_revoke(actor=request.user, token_id=token_id)
    except PortalError as error:
        raise Http404(error.message) from error
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("partners:api_tokens")


@signed_in
@require_http_methods(["GET", "POST"])
def preferences_view(request):
    user = request.user
    form = PreferencesForm(
        request.POST or None, initial={"language": user.language, "time_zone": user.time_zone}
    )
    if request.method == "POST" and form.is_valid():
        services.user_preferences_set(
            user=user,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        return redirect(
            redirect_target(request, request.POST.get("next"), fallback="partners:preferences")
        )
    return render(request, "partners/preferences.html", {"form": form})


@public
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, uidb64: str, token: str):
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        return render(request, "partners/invitation_invalid.html", status=410)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_accept(user=user, password=form.cleaned_data["new_password1"])
        messages.success(request, _("Your password is set. Sign in to continue."))
        return redirect("account_login")
    return render(request, "partners/invitation_accept.html", {"form": form, "invitee": user})
