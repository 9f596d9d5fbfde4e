"""The patrol page's form. The phone's track arrives as JSON text in a hidden field."""

import json

from django import forms

CRS_CHOICES = [("wgs84", "WGS84（GPS、天地图）"), ("gcj02", "GCJ-02（高德）"), ("bd09", "BD-09（百度）")]


class PatrolForm(forms.Form):
    lon = forms.FloatField(label="经度", min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90)
    crs = forms.ChoiceField(label="坐标系", choices=CRS_CHOICES, initial="wgs84")
    patrolled_at = forms.DateTimeField(label="巡查时间", required=False,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    visited = forms.CharField(label="走访单位/地点", max_length=300, required=False)
    enterprise = forms.IntegerField(label="走访企业", required=False, min_value=1)
    notes = forms.CharField(label="巡查情况", max_length=4000, required=False, widget=forms.Textarea)
    track = forms.CharField(label="轨迹", required=False, widget=forms.HiddenInput)

    def clean_track(self) -> list[tuple[float, float]] | None:
        """[[lon, lat], ...] in the form's CRS, or None when no track was recorded."""
        text = self.cleaned_data["track"]
        if not text.strip():
            return None
        try:
            return [(float(p[0]), float(p[1])) for p in json.loads(text)]
        except (ValueError, TypeError, IndexError, KeyError):
            raise forms.ValidationError("轨迹数据格式错误") from None
