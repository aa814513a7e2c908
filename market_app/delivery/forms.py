"""Forms of the courier route page and the market admin's courier pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .models import FailureReason, VehicleKind
from .operations import ShiftInput
from .waves import KOREAN_WEEKDAYS



def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class StopFailedForm(FlaskForm):
    """No CSRF token: the route page has no session; the signed link in the URL is the credential."""

    class Meta:
        csrf = False

    reason = SelectField("실패 사유", choices=_choices(FailureReason.LABELS),
                         validators=[DataRequired("실패 사유를 선택해 주세요.")])
    note = StringField("메모", validators=[Optional(), Length(max=200)])


class CourierForm(FlaskForm):
    name = StringField("이름", validators=[DataRequired("이름을 입력해 주세요."), Length(max=40)])
    phone = StringField("휴대전화 번호", validators=[DataRequired("전화번호를 입력해 주세요.")])
    vehicle_kind = SelectField("배송 수단", choices=_choices(VehicleKind.LABELS))
    capacity_bags = IntegerField("적재 용량(봉)", default=10,
                                 validators=[NumberRange(1, 200, "적재 용량은 1~200봉입니다.")])
    is_active = BooleanField("근무 중(배차 대상)", default=True)


def shift_rows(courier=None) -> list[dict]:
    """The weekly shift grid as the template shows it (one row per weekday)."""
    by_day = {s.weekday: s for s in courier.shifts} if courier else {}
    return [{"weekday": d, "label": KOREAN_WEEKDAYS[d], "on": d in by_day,
             "start": by_day[d].start if d in by_day else "09:30",
             "end": by_day[d].end if d in by_day else "20:00"} for d in range(7)]


def read_shifts(formdata: MultiDict) -> tuple[list[ShiftInput], list[dict]]:
    """Shifts ticked in the grid (fields shift_<d>_on/_start/_end) and the grid to show again."""
    shifts, rows = [], []
    for day in range(7):
        on = bool(formdata.get(f"shift_{day}_on"))
        start = (formdata.get(f"shift_{day}_start") or "").strip()
        end = (formdata.get(f"shift_{day}_end") or "").strip()
        rows.append({"weekday": day, "label": KOREAN_WEEKDAYS[day], "on": on, "start": start, "end": end})
        if on:
            shifts.append(ShiftInput(day, start, end))
    return shifts, rows
