"""Acting on a service from a view: call it, show its refusal, go on."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.forms import BaseForm

from zhangwan.errors import ServiceError


@dataclass
class Refusal:
    """The message a service refused with; empty (and false) when the block went through."""

    message: str = ""

    def __bool__(self) -> bool:
        return bool(self.message)


@contextmanager
def refusal_to(target=None, *, field=None):
    """Run a block that calls a service and says what it did. A ServiceError raised in it ends the block
    and its message goes to target: a form shows it (on field, or on the whole form), a request flashes
    it. With no target the message is only kept, in the Refusal the block is given.

        with refusal_to(request):
            services.enrollment_cancel(enrollment=enrollment, user=request.user)
            messages.success(request, _("Cancelled."))
        return redirect(...)
    """
    refusal = Refusal()
    try:
        yield refusal
    except ServiceError as error:
        refusal.message = error.message
        if isinstance(target, BaseForm):
            target.add_error(field, refusal.message)
        elif target is not None:
            messages.add_message(target, error.level, refusal.message)
