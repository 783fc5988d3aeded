"""Territory: regions, municipalities with boundaries and population, the settlements gazetteer."""

from django.core.validators import RegexValidator
from django.db import models

oktmo_validator = RegexValidator(r"^\d{8}$", "Код ОКТМО — 8 цифр.")


class Region(models.Model):
    """Субъект РФ served by one ЦУР. Every big table carries its region (DESIGN.md §11)."""

    code = models.SlugField("код", max_length=32, unique=True)
    name = models.CharField("название", max_length=200, unique=True)
    timezone = models.CharField("часовой пояс", max_length=64)
    oktmo_prefix = models.CharField("префикс ОКТМО", max_length=2, unique=True)

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    option_fields = ("name",)  # what __str__ shows: option lists are read without model instances

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """Муниципальное образование первого уровня: городской округ, муниципальный район или округ."""

    class Kind(models.TextChoices):
        URBAN_OKRUG = "urban_okrug", "городской округ"
        MUNICIPAL_DISTRICT = "municipal_district", "муниципальный район"
        MUNICIPAL_OKRUG = "municipal_okrug", "муниципальный округ"

    region = models.ForeignKey(Region, models.PROTECT, related_name="municipalities", verbose_name="регион")
    oktmo = models.CharField("ОКТМО", max_length=8, unique=True, validators=[oktmo_validator])
    name = models.CharField("название", max_length=200, help_text="Короткое: «Пестравский район», «Тольятти».")
    official_name = models.CharField("официальное название", max_length=300)
    kind = models.CharField("вид", max_length=32, choices=Kind.choices)
    boundary = models.JSONField(
        "граница (GeoJSON)", null=True, blank=True,
        help_text="Геометрия в WGS84. © участники OpenStreetMap, ODbL 1.0.",
    )
    centroid_lat = models.FloatField("широта центра", null=True, blank=True)
    centroid_lon = models.FloatField("долгота центра", null=True, blank=True)

    class Meta:
        verbose_name = "муниципальное образование"
        verbose_name_plural = "муниципальные образования"
        ordering = ["region", "name"]
        # Both regions have a «Красноармейский район»: names are unique only inside a region.
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="municipality_region_name_uniq")]

    option_fields = ("name",)  # what __str__ shows: option lists are read without model instances

    def __str__(self) -> str:
        return self.name


class Population(models.Model):
    """Resident population on 1 January of a year (Rosstat); the per-capita figures divide by it."""

    municipality = models.ForeignKey(Municipality, models.CASCADE, related_name="population", verbose_name="МО")
    year = models.PositiveSmallIntegerField("год")
    population = models.PositiveIntegerField("численность, чел.")

    class Meta:
        verbose_name = "численность населения"
        verbose_name_plural = "данные о численности населения"
        ordering = ["municipality", "year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="population_year_uniq")]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.population}"


class Settlement(models.Model):
    """Населённый пункт (or a city's internal district) of the gazetteer used to place appeals."""

    class Kind(models.TextChoices):
        CITY = "city", "город"
        URBAN_SETTLEMENT = "urban_settlement", "посёлок городского типа"
        VILLAGE = "village", "село"
        SETTLEMENT = "settlement", "посёлок"
        HAMLET = "hamlet", "деревня"
        STATION = "station", "станция"
        CITY_DISTRICT = "city_district", "район города"
        MICRODISTRICT = "microdistrict", "микрорайон"

    PREFIXES = {
        Kind.CITY: "г.", Kind.URBAN_SETTLEMENT: "пгт", Kind.VILLAGE: "с.", Kind.SETTLEMENT: "пос.",
        Kind.HAMLET: "д.", Kind.STATION: "ст.", Kind.CITY_DISTRICT: "",
        Kind.MICRODISTRICT: "мкр.",
    }

    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="регион")
    municipality = models.ForeignKey(Municipality, models.CASCADE, related_name="settlements", verbose_name="МО")
    name = models.CharField("название", max_length=200, db_index=True)
    kind = models.CharField("тип", max_length=32, choices=Kind.choices)
    is_admin_centre = models.BooleanField("административный центр", default=False)
    population = models.PositiveIntegerField("население", null=True, blank=True)
    lat = models.FloatField("широта", null=True, blank=True)
    lon = models.FloatField("долгота", null=True, blank=True)

    class Meta:
        verbose_name = "населённый пункт"
        verbose_name_plural = "населённые пункты"
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name", "kind"], name="settlement_uniq"),
        ]

    option_fields = ("kind", "name")  # option lists are read without model instances, labelled below

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.option_label(self.kind, self.name)

    @classmethod
    def option_label(cls, kind: str, name: str) -> str:
        """«с. Пестравка», «г. Тольятти», «Промышленный район»."""
        return f"{cls.PREFIXES.get(kind, '')} {name}".strip()
