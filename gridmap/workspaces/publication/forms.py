"""The staff's publication forms: each names its record by id, found in the user's scope by the
same selectors the page lists with; dates may not lie ahead (the services refuse it too)."""

from django import forms

from gridmap.inspections import selectors
from gridmap.inspections.models import CreditListing
from gridmap.workspaces.inspections.forms import EnterpriseRefForm, date_field


def _today_max(form, today, *names):
    for name in names:
        form.fields[name].widget.attrs["max"] = today.isoformat()


class ActionForm(forms.Form):
    """Which action a post asks for, and the tab and year to come back to."""

    action = forms.ChoiceField(label="操作")
    tab = forms.ChoiceField(label="页签", required=False)
    year = forms.IntegerField(label="年度", min_value=1900, max_value=2999, required=False)

    def __init__(self, *args, actions, tabs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(key, key) for key in actions]
        self.fields["tab"].choices = [("", ""), *((key, label) for key, label in tabs.items())]


class _ScopedRecordForm(forms.Form):
    """A form about one record of the user's scope, named by its id (`record`)."""

    record = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    what = "记录"
    date_name = ""

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.today = user, today
        _today_max(self, today, self.date_name)

    def rows(self):
        raise NotImplementedError

    def clean_record(self):
        found = self.rows().filter(pk=self.cleaned_data["record"]).first()
        if found is None:
            raise forms.ValidationError(f"{self.what}不存在或无权操作")
        return found


class PublishForm(_ScopedRecordForm):
    published_on = date_field("公示日期")
    findings = forms.CharField(label="违法事实", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label="法律依据", max_length=500)
    decision = forms.CharField(label="处理决定", max_length=500)
    what = "行政处罚决定书"
    date_name = "published_on"

    def rows(self):
        return selectors.penalty_decisions_for_user(self.user)


class WithdrawForm(_ScopedRecordForm):
    withdrawn_on = date_field("撤回日期")
    reason = forms.CharField(label="撤回说明（如经复议、诉讼变更或撤销）", max_length=300)
    what = "公示"
    date_name = "withdrawn_on"

    def rows(self):
        return selectors.publications_for_user(self.user)


class ExitForm(_ScopedRecordForm):
    exited_on = date_field("移出日期")
    exit_reason = forms.CharField(label="移出事由（如信用修复）", max_length=300)
    what = "名单记录"
    date_name = "exited_on"

    def rows(self):
        return selectors.credit_listings_for_user(self.user)


class ListingForm(EnterpriseRefForm):
    kind = forms.ChoiceField(label="名单", choices=CreditListing.Kind.choices)
    entered_on = date_field("列入日期")
    reason = forms.CharField(label="列入事由", max_length=300)
    note = forms.CharField(label="说明", max_length=300, required=False)
    field_order = ["kind", "enterprise", "entered_on", "reason", "note"]

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        _today_max(self, today, "entered_on")


class WechatForm(EnterpriseRefForm):
    exposed_on = date_field("曝光日期")
    note = forms.CharField(label="曝光内容摘要", max_length=300, required=False)
    field_order = ["enterprise", "exposed_on", "note"]

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        _today_max(self, today, "exposed_on")
