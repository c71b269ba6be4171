"""URLs of the appointment (预约单) pages, included by ``ybss/web/urls.py`` in the ``web``
namespace. The officers' pages are ``@scoped``; ``a/<token>/`` is the resident's public page
(``@not_scoped``: no sign-in, reached only through the random token on the slip's QR code)."""

from django.urls import path

from .views import appointments

urlpatterns = [
    path("appointments/", appointments.appointment_list_view, name="appointments"),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/confirm/", appointments.appointment_confirm_view, name="appointment_confirm"),
    path("appointments/<int:pk>/cancel/", appointments.appointment_cancel_view, name="appointment_cancel"),
    path("appointments/<int:pk>/slip.pdf", appointments.appointment_slip, name="appointment_slip"),
    path("a/<str:token>/", appointments.appointment_public, name="appointment_public"),
]
