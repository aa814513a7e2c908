"""Forms of the market admin pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from ..delivery.waves import KOREAN_WEEKDAYS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WaveSettingsForm(FlaskForm):
    cutoffs = StringField("주문 마감 시각 (쉼표로 구분)", validators=[DataRequired("마감 시각을 입력해 주세요.")])
    preparation_minutes = IntegerField("상품 준비 시간(분)", validators=[NumberRange(0, 240, "0~240분")])
    delivery_window_minutes = IntegerField("배송 시간대 길이(분)", validators=[NumberRange(30, 480, "30~480분")])
    service_minutes_per_stop = IntegerField("배송지당 전달 시간(분)", validators=[NumberRange(1, 30, "1~30분")])
    closed_weekdays = MultiCheckboxField(
        "정기 휴무 요일", coerce=int,
        choices=[SelectChoice(str(day), label) for day, label in enumerate(KOREAN_WEEKDAYS)])
