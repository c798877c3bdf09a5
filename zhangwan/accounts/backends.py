"""Django's model permissions, read once per access generation instead of once per request."""

from django.contrib.auth.backends import ModelBackend

from .access_cache import kept


class CachedModelBackend(ModelBackend):
    """ModelBackend whose set of a user's permissions comes from the shared cache (access_cache.py).

    Only the whole set is kept (what ``has_perm`` and ``{{ perms }}`` read); an inactive user has none,
    as in ModelBackend, and object permissions stay ModelBackend's (none)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = kept("permissions", user_obj, super().get_all_permissions)  # noqa: SLF001 - ModelBackend's own memo
        return user_obj._perm_cache  # noqa: SLF001
