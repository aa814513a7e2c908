"""Tablet forms: sign-in (PIN or password), answers to orders, product edits."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..ordering.operations import MAX_BAGS
from .operations import MAX_PRICE, MAX_STOCK

REJECT_REASONS = ("재료 소진", "오늘 영업 종료", "주문량이 너무 많음", "기타")


class PinLoginForm(FlaskForm):
    owner_id = RadioField("누구신가요?", coerce=int, validators=[InputRequired("이름을 선택해 주세요.")],
                          validate_choice=False)
    pin = PasswordField("PIN", validators=[DataRequired("PIN을 입력해 주세요."),
                                           Regexp(r"^\d{4,6}$", message="PIN은 숫자 4~6자리입니다.")])


class PasswordLoginForm(FlaskForm):
    phone = StringField("휴대전화 번호", validators=[DataRequired("전화번호를 입력해 주세요.")])
    password = PasswordField("비밀번호", validators=[DataRequired("비밀번호를 입력해 주세요."), Length(max=128)])


class ActionForm(FlaskForm):
    """Buttons that only need the CSRF token (accept all, acknowledge, logout, open/close)."""


class RejectForm(FlaskForm):
    reason = RadioField("거절 사유", choices=[SelectChoice(r, r) for r in REJECT_REASONS],
                        validators=[DataRequired("거절 사유를 선택해 주세요.")])
    other = StringField("기타 사유", validators=[Optional(), Length(max=150)])


class PackForm(FlaskForm):
    bags = IntegerField("봉투 수", validators=[InputRequired("봉투 수를 입력해 주세요."),
                                           NumberRange(1, MAX_BAGS, f"봉투 수는 1부터 {MAX_BAGS}까지입니다.")])


class ProductForm(FlaskForm):
    price = IntegerField("가격", validators=[InputRequired("가격을 입력해 주세요."),
                                           NumberRange(0, MAX_PRICE, "가격을 확인해 주세요.")])
    stock = IntegerField("재고", validators=[Optional(), NumberRange(0, MAX_STOCK, "재고를 확인해 주세요.")])


class SoldOutForm(FlaskForm):
    sold_out = HiddenField(validators=[DataRequired()])  # "1" = 품절, "0" = 판매 중


class OpenForm(FlaskForm):
    is_open = HiddenField(validators=[DataRequired()])  # "1" = 영업, "0" = 오늘 마감
