"""The completion job through a real Celery worker process and the real broker."""


import pytest

from training import services
from training.models import Enrollment, TrainingClass
from training.tests.factories import hold, open_class
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.processes import wait_for


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_finishing_a_class_queues_the_completion_job_after_commit(worker_queue):
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    cls = open_class(capacity=2, sessions=2)
    seats = [services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
             for _ in range(2)]
    hold(cls)  # both sessions are over
    for session in cls.sessions.all():
        services.attendance_mark(session=session, enrollment=seats[0], status="present", user=officer)
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.RUNNING)
    services.class_transition(training_class=cls, to="finished", user=officer)
    assert wait_for(lambda: not Enrollment.objects.filter(training_class=cls, status="confirmed").exists())
    assert dict(Enrollment.objects.values_list("pk", "status")) == {seats[0].pk: "completed", seats[1].pk: "no_show"}
