"""The patrol page's form. The phone's track arrives as JSON text in a hidden field."""

from django import forms
from django.core.exceptions import ValidationError

from gridmap.geo.coords import CRS_CHOICES, DEFAULT_CRS
from gridmap.patrols.services import track_points


class PatrolForm(forms.Form):
    lon = forms.FloatField(label="经度", min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90)
    crs = forms.ChoiceField(label="坐标系", choices=CRS_CHOICES, initial=DEFAULT_CRS)
    patrolled_at = forms.DateTimeField(label="巡查时间", required=False,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    visited = forms.CharField(label="走访单位/地点", max_length=300, required=False)
    enterprise = forms.IntegerField(label="走访企业", required=False, min_value=1)
    notes = forms.CharField(label="巡查情况", max_length=4000, required=False, widget=forms.Textarea)
    track = forms.CharField(label="轨迹", required=False, widget=forms.HiddenInput)

    def clean_track(self) -> list[tuple[float, float]] | None:
        """[[lon, lat], ...] in the form's CRS, or None: the same check as the API's."""
        try:
            return track_points(self.cleaned_data["track"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["track"]) from None
