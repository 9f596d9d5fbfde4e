from django import forms

from gridmap.jobs.models import Export

FORMATS = [(Export.Format.CSV, "CSV"), (Export.Format.XLSX, "Excel"), (Export.Format.GEOJSON, "GeoJSON"),
           (Export.Format.ZIP, "ZIP（一企一册 PDF）")]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="内容", choices=Export.Kind.choices)
    fmt = forms.ChoiceField(label="格式", choices=FORMATS)
    grid = forms.CharField(label="网格编码（一级或二级，不填为全部）", max_length=32, required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Export.Kind.REGISTERS:
            data["fmt"] = Export.Format.ZIP
        elif data.get("fmt") == Export.Format.ZIP:
            self.add_error("fmt", "ZIP 仅用于一企一册批量导出")
        return data
