from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import public, requires, signed_in
from core.errors import NotFound, PortalError
from core.redirects import redirect_target
from core.roles import Action, user_can
from core.shown_once import shown_once_keep, shown_once_take

from . import invitations, selectors, services
from .forms import ApiTokenForm, InviteUserForm, PreferencesForm, UserRolesForm
from .models import User


@requires(Action.MANAGE_USERS)
def user_list_view(request):
    return render(request, "partners/user_list.html", {
        "users": selectors.user_list(), "invitations": selectors.invitation_list(),
        "now": timezone.now(),
    })


@requires(Action.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_invite_view(request):
    form = InviteUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(
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
            # The same answer for every address: whether it has an account elsewhere stays
            # between the portal and its owner.
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("partners:user_list")
    return render(request, "partners/user_invite.html", {"form": form})


@requires(Action.MANAGE_USERS)
@require_POST
def invitation_resend_view(request, invitation_id: int):
    try:
        invitation = invitations.invitation_resend(
            partner=request.user.partner,
            actor=request.user,
            invitation_id=invitation_id,
            base_url=request.build_absolute_uri("/"),
        )
    except NotFound:
        raise
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("partners:user_list")
    messages.success(
        request, _("Invitation sent again to %(email)s; earlier links no longer work.")
        % {"email": invitation.email},
    )
    return redirect("partners:user_list")


@requires(Action.MANAGE_USERS)
@require_POST
def invitation_withdraw_view(request, invitation_id: int):
    invitation = invitations.invitation_withdraw(
        partner=request.user.partner, actor=request.user, invitation_id=invitation_id
    )
    messages.success(
        request, _("Invitation of %(email)s withdrawn; its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("partners:user_list")


@requires(Action.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_detail_view(request, user_id: int):
    member = selectors.user_get(user_id=user_id)
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
    except NotFound:
        raise
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(email)s can no longer sign in.") % {"email": member.email})
    return redirect("partners:user_list")


@signed_in
@require_http_methods(["GET", "POST"])
def api_token_list_view(request):
    form = ApiTokenForm(request.POST or None)
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
            shown_once_keep(request, name="partners.new_api_token", value={"token": new_token})
            return redirect("partners:api_tokens")
    tokens = selectors.api_token_list(user=request.user)
    issued = shown_once_take(request, name="partners.new_api_token") or {}
    return render(
        request,
        "partners/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": issued.get("token")},
    )


@signed_in
@require_POST
def api_token_revoke_view(request, token_id: int):
    token = services.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("partners:api_tokens")


@signed_in
@require_http_methods(["GET", "POST"])
def preferences_view(request):
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        initial={"language": user.language, "time_zone": user.time_zone,
                 "cancellation_reminders": user.cancellation_reminders},
        offers_reminders=user_can(user, Action.VIEW_CUSTOMERS),
    )
    if request.method == "POST" and form.is_valid():
        services.user_preferences_set(
            user=user,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
            cancellation_reminders=form.cleaned_data.get("cancellation_reminders"),
        )
        return redirect(
            redirect_target(request, request.POST.get("next"), fallback="partners:preferences")
        )
    return render(request, "partners/preferences.html", {"form": form})


@public
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, uidb64: str, token: str):
    invitation = selectors.invitation_from_link(uidb64=uidb64, token=token, at=timezone.now())
    if invitation is None:
        return render(request, "partners/invitation_invalid.html", status=410)
    # Unsaved: the password validators compare the password with the invitee's name and address.
    invitee = User(email=invitation.email, full_name=invitation.full_name)
    form = SetPasswordForm(invitee, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except PortalError as error:
            return render(
                request, "partners/invitation_invalid.html", {"reason": error.message}, status=410
            )
        messages.success(request, _("Your password is set. Sign in to continue."))
        return redirect("account_login")
    return render(request, "partners/invitation_accept.html", {"form": form, "invitee": invitee})
