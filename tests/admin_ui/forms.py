"""What the admin's change forms post and answer, for the admin tests."""

from django.contrib.messages import get_messages


def management_form(prefix, total=0, initial=0):
    """The management fields of the inline formset ``prefix``."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def field_errors(form):
    """``{field: [(code, message), ...]}`` of a bound form."""
    return {
        field: [(error.code, " ".join(error.messages)) for error in errors]
        for field, errors in form.errors.as_data().items()
    }


def messages_of(response):
    """The messages the admin showed after ``response``: (level, text)."""
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]
