"""factory_boy factories for the models of every app."""
import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from finance.models import Allocation, FinanceReturn, Scheme
from performance.models import PerformanceReturn, Trajectory
from trusts.models import Footprint, Region, Trust, Upload, UploadStatus

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a password of PASSWORD; ``role`` names a group, ``trusts`` the trusts they direct."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@nhs.example")

    @classmethod
    def _create(cls, model_class, *args, role=None, trusts=(), **kwargs):
        kwargs.setdefault("password", PASSWORD)
        manager = cls._get_manager(model_class)
        user = manager.filter(username=kwargs["username"]).first() or manager.create_user(*args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        for trust in trusts:
            trust.finance_directors.add(user)
        return user


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Y{60 + n}")
    name = factory.Sequence(lambda n: f"Region {n}")


class FootprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Footprint
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E54{n:06d}")
    name = factory.Sequence(lambda n: f"Footprint {n}")
    region = factory.SubFactory(RegionFactory)


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("org_code",)

    org_code = factory.Sequence(lambda n: f"R{n:04d}")
    name = factory.Sequence(lambda n: f"Test Hospitals NHS Trust {n}")
    trust_type = "acute"
    region = factory.SubFactory(RegionFactory)
    footprint = factory.SubFactory(FootprintFactory, region=factory.SelfAttribute("..region"))


class UploadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Upload

    kind = "finance"
    file_name = "returns.csv"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = UploadStatus.STORED
    source = "test"


def scheme(code="2016-17"):
    """The schemes are data loaded by migration; tests use them as they are."""
    return Scheme.objects.get(code=code)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    trust = factory.SubFactory(TrustFactory)
    scheme = factory.LazyFunction(scheme)
    stf_allocation = Decimal("1000000.00")
    control_total = Decimal("-500000.00")
    control_total_accepted = True


class FinanceReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinanceReturn

    trust = factory.SubFactory(TrustFactory)
    month = datetime.date(2016, 6, 1)
    plan_ytd = Decimal("-500000.00")
    actual_ytd = Decimal("-400000.00")
    forecast_outturn = Decimal("-1000000.00")
    upload = factory.SubFactory(UploadFactory, kind="finance")


class PerformanceReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerformanceReturn

    trust = factory.SubFactory(TrustFactory)
    month = datetime.date(2016, 4, 1)
    metric = "ae"
    numerator = 9500
    denominator = 10000
    upload = factory.SubFactory(UploadFactory, kind="performance")


class TrajectoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trajectory

    trust = factory.SubFactory(TrustFactory)
    month = datetime.date(2016, 4, 1)
    metric = "ae"
    percent = Decimal("92.00")
    upload = factory.SubFactory(UploadFactory, kind="trajectories")
