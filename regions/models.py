"""The region tree and officials' memberships."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext_lazy as _

from .choices import RegionKind, RegionLevel, Role
from .validators import validate_code, validate_one_line

PATH_SEPARATOR = "/"


class FieldConstraintErrorsMixin:
    """Show a constraint's violation message at a form field instead of at the top of the form.

    `constraint_error_fields` maps a constraint's violation_error_code to the field its message
    belongs to, so an admin sees "this target exists already" under the period they picked.
    """

    constraint_error_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            moved: dict[str, list[ValidationError]] = {}
            for field, errors in error.error_dict.items():
                for item in errors:
                    target = self.constraint_error_fields.get(item.code, field)
                    if target in (exclude or ()):
                        target = field
                    moved.setdefault(target, []).append(item)
            raise ValidationError(moved) from error


class Region(FieldConstraintErrorsMixin, models.Model):
    """A node of the tree province > city > county > township, or a functional zone."""

    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[validate_code],
        help_text=_("National statistical division code, or a stable custom code for a zone."),
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line])
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    kind = models.CharField(
        _("kind"), max_length=10, choices=RegionKind.choices, default=RegionKind.ADMIN
    )
    counted_in_parent = models.BooleanField(
        _("counted in parent"),
        default=False,
        help_text=_(
            "For a zone whose figures are already counted in a division of the same parent: "
            "roll-ups skip it so nothing is counted twice."
        ),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialized path of codes ("33/3304/330482/"): a subtree is one indexed prefix match.
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="region_code_unique",
                violation_error_code="region_code_unique",
                violation_error_message=_("A region with this code exists already."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind=RegionKind.ZONE) | models.Q(counted_in_parent=False),
                name="region_only_zone_counted_in_parent",
                violation_error_code="region_only_zone_counted_in_parent",
                violation_error_message=_("Only a functional zone can be counted in its parent."),
            ),
        ]
        indexes = [models.Index(fields=["parent", "name"])]

    constraint_error_fields = {
        "region_code_unique": "code",
        "region_only_zone_counted_in_parent": "counted_in_parent",
    }

    def __str__(self):
        return f"{self.name} ({self.code})"

    @transaction.atomic
    def save(self, *args, **kwargs):
        old_path = self.stored_path() if self.pk else ""
        self.path = self.build_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # A moved or recoded region carries its whole subtree along, in one statement.
            Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
            )

    def clean(self):
        super().clean()
        if not self.parent_id:
            return
        parent = self.parent
        if self.pk and (parent.pk == self.pk or parent.path.startswith(self.stored_path())):
            raise ValidationError(
                {"parent": _("A region cannot be placed under itself or one of its sub-regions.")}
            )
        if self.kind == RegionKind.ADMIN and parent.level >= self.level:
            raise ValidationError(
                {"parent": _("The parent must be at a higher level than the region.")}
            )

    def build_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def stored_path(self) -> str:
        """The path as it is in the database now (before an unsaved move)."""
        return Region.objects.filter(pk=self.pk).values_list("path", flat=True).first() or ""

    def ancestors(self):
        """This region's ancestors from the top down (one query)."""
        codes = self.path.split(PATH_SEPARATOR)[:-2]
        return Region.objects.filter(code__in=codes).order_by(Length("path"))

    def descendants(self, *, include_self: bool = False):
        regions = Region.objects.filter(path__startswith=self.path)
        return regions if include_self else regions.exclude(pk=self.pk)


class OfficialMembership(FieldConstraintErrorsMixin, models.Model):
    """A user's role in a region: what they may do there is decided in regions.access."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    includes_subregions = models.BooleanField(
        _("includes sub-regions"),
        default=False,
        help_text=_("The role also applies to every region below this one."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("official membership")
        verbose_name_plural = _("official memberships")
        ordering = ["region__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region", "role"],
                name="membership_unique",
                violation_error_code="membership_unique",
                violation_error_message=_("This user already has this role in this region."),
            )
        ]

    constraint_error_fields = {"membership_unique": "role"}

    def __str__(self):
        return f"{self.user} · {self.region.name} · {self.get_role_display()}"


class AccountDeactivation(models.Model):
    """When an account was last deactivated, however it was: written by a database trigger on
    the user table (migration 0002), so a bulk `update(is_active=False)`, which sends no signal,
    is recorded too. A session signed in before it is refused (talentportal.sessions), so
    reactivating the account does not bring that session back."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="deactivation",
    )
    deactivated_at = models.DateTimeField(_("deactivated at"))

    class Meta:
        verbose_name = _("account deactivation")
        verbose_name_plural = _("account deactivations")

    def __str__(self):
        return f"{self.user} · {self.deactivated_at:%Y-%m-%d %H:%M}"
