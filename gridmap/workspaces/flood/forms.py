"""The flood desk's inputs: the impact asked for (a zone or a drawn area), pre-flood tasks for
a zone, a stock movement, the stock filter."""

from __future__ import annotations

from django import forms

from gridmap.flood.selectors import ImpactQuery
from gridmap.geo.coords import DEFAULT_CRS
from gridmap.geo.polygons import PolygonError, polygon_input


class ImpactForm(forms.Form):
    """?zone= or ?geometry=&crs=, with the nearest depots (k) and the pumping-station distance."""

    zone = forms.IntegerField(label="责任区", required=False, min_value=1)
    geometry = forms.CharField(label="绘制范围", required=False)
    crs = forms.CharField(label="坐标系", required=False)
    k = forms.IntegerField(label="最近仓库个数", required=False, min_value=1, max_value=20)
    distance_m = forms.FloatField(label="泵站搜索距离（米）", required=False, min_value=0, max_value=50_000)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("zone"):
            data["area"] = None
        elif data.get("geometry"):
            try:
                data["area"] = polygon_input(data["geometry"], crs=data.get("crs") or None)
            except PolygonError as exc:
                raise forms.ValidationError({exc.field: str(exc)}) from exc
        else:
            raise forms.ValidationError("请选择责任区或绘制范围")
        data["k"] = data["k"] if data.get("k") is not None else 5
        data["distance_m"] = data["distance_m"] if data.get("distance_m") is not None else 2000.0
        return data

    def query(self) -> ImpactQuery:
        data = self.cleaned_data
        return ImpactQuery(zone_id=data["zone"] or None, area=data["area"], k=data["k"],
                           distance_m=data["distance_m"])

    def params(self) -> dict:
        """The query string that asks for the same impact again (the PDF link)."""
        data = self.cleaned_data
        params = {"zone": data["zone"]} if data["zone"] else {
            "geometry": data["geometry"], "crs": data.get("crs") or DEFAULT_CRS}
        return {**params, "k": data["k"], "distance_m": data["distance_m"]}


class ZoneTasksForm(forms.Form):
    due_date = forms.DateField(label="完成期限", error_messages={
        "required": "请填写有效的完成期限", "invalid": "请填写有效的完成期限"})


class StockMoveForm(forms.Form):
    kind = forms.ChoiceField(label="操作", choices=(("receive", "入库"), ("issue", "出库")),
                             error_messages={"invalid_choice": "未知操作", "required": "未知操作"})
    quantity = forms.IntegerField(label="数量", min_value=1, error_messages={
        "required": "数量必须是正整数", "invalid": "数量必须是正整数", "min_value": "数量必须是正整数"})
    note = forms.CharField(label="事由", required=False, max_length=200, strip=True,
                           error_messages={"max_length": "事由不能超过 200 字"})


class StockFilterForm(forms.Form):
    low = forms.ChoiceField(label="只看低于最低储备", required=False, choices=(("1", "是"), ("0", "否")))

    def low_only(self) -> bool:
        return self.is_valid() and self.cleaned_data["low"] == "1"


class ReadingsUploadForm(forms.Form):
    """A CSV of readings: a header row (station,time,value or 测站编码,观测时间,数值), then one
    reading a line, UTF-8 (with or without BOM) or GBK (as Excel saves it in Chinese)."""

    file = forms.FileField(label="CSV 文件", error_messages={"required": "请选择 CSV 文件"})

    MAX_BYTES = 2 * 1024 * 1024
    HEADERS = {"station": "station", "测站编码": "station", "time": "time", "观测时间": "time",
               "value": "value", "数值": "value"}

    def clean_file(self):
        import csv
        import io

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("只接受 .csv 文件")
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("文件不能超过 2 MB")
        raw = upload.read()
        for encoding in ("utf-8-sig", "gbk"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise forms.ValidationError("文件编码无法识别（请用 UTF-8 或 GBK）")
        reader = csv.reader(io.StringIO(text))
        header = [self.HEADERS.get(name.strip()) for name in next(reader, [])]
        missing = {"station", "time", "value"} - set(header)
        if missing:
            raise forms.ValidationError("首行应为列名 station,time,value（或 测站编码,观测时间,数值）")
        return [dict((key, cell.strip()) for key, cell in zip(header, line, strict=False) if key)
                for line in reader if any(cell.strip() for cell in line)]
