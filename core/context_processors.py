from core.mfa import mfa_is_relaxed

from .navigation import GEAR_MENU, MAIN_MENU, menu_for


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"mfa_enforced": not mfa_is_relaxed()}
    return {
        "main_menu": menu_for(user, MAIN_MENU),
        "gear_menu": menu_for(user, GEAR_MENU),
        "mfa_enforced": not mfa_is_relaxed(),
    }
